//! The stable error codes of API.md and the JSON error object.
//!
//! Codes are part of the public contract: never rename one. A test pins every code's
//! string and HTTP status.

use serde::{Deserialize, Serialize};
use strum::IntoStaticStr;

/// Every error code a client can see, with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    InvalidJson,
    ValidationFailed,
    Unauthenticated,
    InvalidCredentials,
    AccountSuspended,
    Forbidden,
    NotAMember,
    NotFound,
    MethodNotAllowed,
    UsernameTaken,
    AlreadyMember,
    AlreadyFriends,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Unavailable,
    Timeout,
    Internal,
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidJson | Self::ValidationFailed => 400,
            Self::Unauthenticated | Self::InvalidCredentials => 401,
            Self::AccountSuspended | Self::Forbidden | Self::NotAMember => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::UsernameTaken | Self::AlreadyMember | Self::AlreadyFriends => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
            Self::Timeout => 504,
        }
    }

    /// The snake_case string of the code.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The error object: `{"code", "message", "field"?}`. Over HTTP it is wrapped as
/// `{"error": ErrorBody}`; in a `result` event it is the `body`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

/// The HTTP error response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 18] = [
        ErrorCode::InvalidJson,
        ErrorCode::ValidationFailed,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::AccountSuspended,
        ErrorCode::Forbidden,
        ErrorCode::NotAMember,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::UsernameTaken,
        ErrorCode::AlreadyMember,
        ErrorCode::AlreadyFriends,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::Timeout,
        ErrorCode::Internal,
    ];

    #[test]
    fn every_code_serializes_to_its_contract_string() {
        for code in ALL {
            let json = serde_json::to_value(code).unwrap_or_default();
            assert_eq!(json, serde_json::Value::from(code.as_str()));
        }
    }

    #[test]
    fn codes_and_statuses_match_api_md() {
        let pinned: Vec<(&str, u16)> = ALL.iter().map(|c| (c.as_str(), c.status())).collect();
        assert_eq!(
            pinned,
            vec![
                ("invalid_json", 400),
                ("validation_failed", 400),
                ("unauthenticated", 401),
                ("invalid_credentials", 401),
                ("account_suspended", 403),
                ("forbidden", 403),
                ("not_a_member", 403),
                ("not_found", 404),
                ("method_not_allowed", 405),
                ("username_taken", 409),
                ("already_member", 409),
                ("already_friends", 409),
                ("payload_too_large", 413),
                ("unsupported_media_type", 415),
                ("rate_limited", 429),
                ("unavailable", 503),
                ("timeout", 504),
                ("internal", 500),
            ]
        );
    }

    #[test]
    fn error_response_has_the_api_shape() {
        let body = ErrorResponse {
            error: ErrorBody::new(ErrorCode::ValidationFailed, "too long").with_field("body"),
        };
        let json = serde_json::to_value(&body).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "validation_failed", "message": "too long", "field": "body"}})
        );
    }
}
