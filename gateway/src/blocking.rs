//! Running synchronous Diesel work off the async threads, keeping the tracing span.

use crate::error::ApiError;
use parley_db::{PgPool, PooledConn};

/// Runs `f` with a pooled connection on a blocking thread.
pub async fn with_conn<T, F>(pool: &PgPool, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut PooledConn) -> Result<T, ApiError> + Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _enter = span.enter();
        let mut conn = pool.get().map_err(parley_db::DbError::from)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
}

/// At most this many CPU-heavy jobs at once: each Argon2 hash takes 19 MiB and a core,
/// and a burst of logins must neither starve the HTTP threads nor balloon memory.
static CPU_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs CPU-heavy work (password hashing) on a blocking thread, two at a time.
pub async fn cpu<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let _permit = CPU_PERMITS
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(format!("cpu permits closed: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))
}
