//! Queries on `sessions`: tokens are looked up by their SHA-256 hash only.

use crate::rows::{SessionRow, UserRow};
use crate::schema::{sessions::dsl as s, users::dsl as u};
use diesel::prelude::*;
use parley_schema::{SessionId, UserId};

pub fn insert(conn: &mut PgConnection, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(s::sessions)
        .values(row)
        .on_conflict_do_nothing()
        .execute(conn)
        .map(drop)
}

/// The session and its (active) user for a token hash.
pub fn find_by_token_hash(
    conn: &mut PgConnection,
    token_hash: &str,
) -> QueryResult<Option<(SessionRow, UserRow)>> {
    s::sessions
        .inner_join(u::users)
        .filter(s::token_hash.eq(token_hash).and(u::deleted_at.is_null()))
        .select((SessionRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()
}

pub fn delete(conn: &mut PgConnection, id: SessionId) -> QueryResult<usize> {
    diesel::delete(s::sessions.filter(s::id.eq(id))).execute(conn)
}

pub fn delete_for_user(conn: &mut PgConnection, user_id: UserId) -> QueryResult<usize> {
    diesel::delete(s::sessions.filter(s::user_id.eq(user_id))).execute(conn)
}
