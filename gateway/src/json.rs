//! Extractor settings: JSON bodies (64 KiB, any content type), paths and query strings,
//! each failure mapped to the API's error shape.

use crate::error::ApiError;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::web;
use parley_schema::{ErrorBody, ErrorCode};

pub const BODY_LIMIT: usize = 64 * 1024;

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(BODY_LIMIT)
        .content_type_required(false)
        .error_handler(|err, _req| json_error(&err).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, _req| {
        ApiError::new(ErrorCode::NotFound, "no such resource").into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::Client(
            ErrorBody::new(
                ErrorCode::ValidationFailed,
                format!("bad query string: {err}"),
            )
            .with_field("query"),
        )
        .into()
    })
}

fn json_error(err: &JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("request bodies are limited to {BODY_LIMIT} bytes"),
            )
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            let text = e.to_string();
            let field = missing_field(&text).unwrap_or("body");
            ApiError::Client(
                ErrorBody::new(ErrorCode::ValidationFailed, strip_position(&text))
                    .with_field(field),
            )
        }
        JsonPayloadError::Deserialize(e) => ApiError::new(
            ErrorCode::InvalidJson,
            format!(
                "the body is not valid JSON: {}",
                strip_position(&e.to_string())
            ),
        ),
        _ => ApiError::new(ErrorCode::InvalidJson, "the body could not be read as JSON"),
    }
}

/// `missing field `username`` → `username`; also `invalid type ... for field`.
fn missing_field(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let len = text[start..].find('`')?;
    text.starts_with("missing field")
        .then(|| &text[start..start + len])
}

fn strip_position(text: &str) -> String {
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_field_names_the_field() {
        assert_eq!(
            missing_field("missing field `username` at line 1"),
            Some("username")
        );
        assert_eq!(missing_field("invalid type: integer"), None);
    }

    #[test]
    fn positions_are_not_shown() {
        assert_eq!(
            strip_position("expected value at line 1 column 2"),
            "expected value"
        );
    }
}
