//! The gateway's error type, mapped once to API.md's JSON error shape.
//!
//! Handlers return `ApiError`. Client errors carry their code and message; database and
//! Kafka trouble becomes `503 unavailable`; anything unexpected a generic `500` whose
//! detail goes only to the log. No internal text ever reaches a client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use parley_db::DbError;
use parley_schema::error::ErrorResponse;
use parley_schema::validate::ValidationError;
use parley_schema::{ErrorBody, ErrorCode};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error("full")]
    Full { retry_after_secs: u64 },
    #[error("{}: {}", .0.code.as_str(), .0.message)]
    Client(ErrorBody),
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("database query: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("kafka: {0}")]
    Kafka(#[source] rdkafka::error::KafkaError),
    #[error("encoding: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Client(ErrorBody::new(code, message))
    }

    pub fn rate_limited(retry: std::time::Duration) -> Self {
        Self::RateLimited {
            retry_after_secs: whole_secs(retry),
        }
    }

    /// Too much work queued (password hashing): `503 unavailable` with `Retry-After`.
    pub fn busy(retry: std::time::Duration) -> Self {
        Self::Busy {
            retry_after_secs: whole_secs(retry),
        }
    }

    /// The gateway holds `PARLEY_MAX_STREAMS` streams: `503 unavailable` with `Retry-After`.
    pub fn full(retry: std::time::Duration) -> Self {
        Self::Full {
            retry_after_secs: whole_secs(retry),
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "log in first")
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no such {what}"))
    }

    fn body(&self) -> ErrorBody {
        match self {
            Self::Client(body) => body.clone(),
            Self::RateLimited { .. } => ErrorBody::new(
                ErrorCode::RateLimited,
                "you are sending too fast; slow down",
            ),
            Self::Busy { .. } => ErrorBody::new(
                ErrorCode::Unavailable,
                "too many sign-ins at once; try again shortly",
            ),
            Self::Full { .. } => ErrorBody::new(
                ErrorCode::Unavailable,
                "this gateway holds all the streams it can; reconnect after Retry-After",
            ),
            Self::Db(DbError::Unavailable(_)) | Self::Kafka(_) => ErrorBody::new(
                ErrorCode::Unavailable,
                "the service is temporarily unavailable; try again",
            ),
            Self::Db(_) | Self::Query(_) | Self::Encode(_) | Self::Internal(_) => {
                ErrorBody::new(ErrorCode::Internal, "something went wrong on our side")
            }
        }
    }
}

/// A `Retry-After` in whole seconds: rounded up, at least one.
fn whole_secs(retry: std::time::Duration) -> u64 {
    retry.as_secs_f64().ceil().max(1.0) as u64
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        Self::Client(ErrorBody::new(ErrorCode::ValidationFailed, e.message).with_field(e.field))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.body().code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let body = self.body();
        let mut resp = HttpResponse::build(self.status_code());
        match self {
            Self::Client(_) => {}
            Self::RateLimited { retry_after_secs }
            | Self::Busy { retry_after_secs }
            | Self::Full { retry_after_secs } => {
                resp.insert_header(("Retry-After", retry_after_secs.to_string()));
            }
            _ => tracing::error!(error = %self, "request failed"),
        }
        resp.json(ErrorResponse { error: body })
    }
}
