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

/// Deletes `user_id`'s session `id`; 0 when it is not theirs or is gone already.
pub fn delete(conn: &mut PgConnection, user_id: UserId, id: SessionId) -> QueryResult<usize> {
    diesel::delete(s::sessions.filter(s::id.eq(id).and(s::user_id.eq(user_id)))).execute(conn)
}

/// Deletes every session of `user_id` but `keep`, and says which went.
pub fn delete_others(
    conn: &mut PgConnection,
    user_id: UserId,
    keep: SessionId,
) -> QueryResult<Vec<SessionId>> {
    diesel::delete(s::sessions.filter(s::user_id.eq(user_id).and(s::id.ne(keep))))
        .returning(s::id)
        .get_results(conn)
}

/// `user_id`'s sessions, the most recently seen first.
pub fn of_user(conn: &mut PgConnection, user_id: UserId) -> QueryResult<Vec<SessionRow>> {
    s::sessions
        .filter(s::user_id.eq(user_id))
        .order((s::last_seen_at.desc(), s::id))
        .select(SessionRow::as_select())
        .load(conn)
}

/// Moves the session's last-seen time forward (never back).
pub fn touch(
    conn: &mut PgConnection,
    id: SessionId,
    at: chrono::DateTime<chrono::Utc>,
) -> QueryResult<usize> {
    diesel::update(s::sessions.filter(s::id.eq(id).and(s::last_seen_at.lt(at))))
        .set(s::last_seen_at.eq(at))
        .execute(conn)
}

/// Ends every session of `user_id`; returns their ids.
pub fn delete_for_user(conn: &mut PgConnection, user_id: UserId) -> QueryResult<Vec<SessionId>> {
    diesel::delete(s::sessions.filter(s::user_id.eq(user_id)))
        .returning(s::id)
        .get_results(conn)
}
