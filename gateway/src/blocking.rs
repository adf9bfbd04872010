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
