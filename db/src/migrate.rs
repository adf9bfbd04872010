//! Embedded migrations, run by the worker at start-up (under an advisory lock, so any
//! number of workers may start at once).

use crate::error::DbError;
use diesel::{PgConnection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// An arbitrary advisory-lock key: workers starting together migrate one at a time.
const MIGRATION_LOCK: i64 = 0x7061_726c_6579;

/// Applies every pending migration; returns how many ran.
pub fn run_pending(conn: &mut PgConnection) -> Result<usize, DbError> {
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(conn)?;
    let ran = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|v| v.len())
        .map_err(DbError::Migration);
    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(conn)?;
    ran
}

/// [`run_pending`] on a connection of `pool` (for the consumers that start without a
/// worker: they may be first).
pub fn run_pending_on(pool: &crate::PgPool) -> Result<usize, DbError> {
    let mut conn = pool.get()?;
    run_pending(&mut conn)
}
