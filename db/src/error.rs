//! The database layer's error type. Callers map `Unavailable` to 503 (or retry, in the
//! worker) and `Query` to a generic 500 whose detail goes only to the log.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DbError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl DbError {
    /// Whether retrying later may succeed (connection trouble rather than a bad query).
    pub fn is_transient(&self) -> bool {
        use diesel::result::Error as E;
        match self {
            Self::Unavailable(_) => true,
            Self::Query(E::DatabaseError(kind, _)) => matches!(
                kind,
                diesel::result::DatabaseErrorKind::ClosedConnection
                    | diesel::result::DatabaseErrorKind::SerializationFailure
                    | diesel::result::DatabaseErrorKind::Unknown
            ),
            Self::Query(E::BrokenTransactionManager) => true,
            _ => false,
        }
    }
}

/// Whether an error is a unique-constraint violation.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
