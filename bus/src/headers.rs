//! Record headers: the `request_id` correlation header on commands and events.

use rdkafka::message::{Header, Headers, OwnedHeaders};

pub const REQUEST_ID: &str = "request_id";

pub fn with_request_id(request_id: &str) -> OwnedHeaders {
    OwnedHeaders::new().insert(Header {
        key: REQUEST_ID,
        value: Some(request_id),
    })
}

/// The `request_id` header of a record, if present and UTF-8.
pub fn request_id<H: Headers>(headers: Option<&H>) -> Option<String> {
    headers?
        .iter()
        .find(|h| h.key == REQUEST_ID)
        .and_then(|h| h.value)
        .and_then(|v| std::str::from_utf8(v).ok())
        .map(str::to_owned)
}
