//! The r2d2 connection pool.

use crate::error::DbError;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel::PgConnection;
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PooledConn = PooledConnection<ConnectionManager<PgConnection>>;

/// A pool of `size` connections. It connects lazily, so a process can start (and report
/// itself unready) while Postgres is down; a checkout waits at most `timeout`.
pub fn build_pool(url: &SecretString, size: u32, timeout: Duration) -> Result<PgPool, DbError> {
    let manager = ConnectionManager::<PgConnection>::new(url.expose_secret());
    Ok(Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(timeout)
        .test_on_check_out(false)
        .build_unchecked(manager))
}
