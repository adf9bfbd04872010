//! The database layer's error type. Callers map `Unavailable` to 503 (or retry, in the
//! worker) and `Query` to a generic 500 whose detail goes only to the log.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DbError {
    #[error("database unavailable: {0}")]
    Unavailable(#[from] diesel::r2d2::PoolError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl DbError {
    /// Whether retrying later may succeed (connection trouble rather than a bad query).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unavailable(_) => true,
            Self::Query(e) => is_transient(e),
            Self::Migration(_) => false,
        }
    }
}

/// Whether a query error is worth retrying later (the connection, not the query, failed).
pub fn is_transient(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error as E};
    match e {
        E::DatabaseError(kind, _) => {
            matches!(kind, K::ClosedConnection | K::SerializationFailure)
        }
        E::BrokenTransactionManager => true,
        _ => false,
    }
}

/// Whether an error is a unique-constraint violation.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
