//! Record headers: the `request_id` correlation header on commands and events, so a
//! record can be traced in Kafka tools without decoding its value. Nothing reads it back:
//! the gateway and the worker take the `request_id` from the decoded value.

use rdkafka::message::{Header, OwnedHeaders};
use std::fmt::Display;

const REQUEST_ID: &str = "request_id";

/// Headers carrying `request_id`.
pub fn with_request_id(request_id: impl Display) -> OwnedHeaders {
    OwnedHeaders::new().insert(Header {
        key: REQUEST_ID,
        value: Some(&request_id.to_string()),
    })
}
