//! Queries on `blocks`: one-way; `blocker` blocks `blocked`.

use crate::rows::UserRow;
use crate::schema::{blocks::dsl as b, users::dsl as u};
use chrono::Utc;
use diesel::prelude::*;
use parley_schema::UserId;
use std::collections::HashSet;

/// `blocker` blocks `blocked`; false when already so.
pub fn add(conn: &mut PgConnection, blocker: UserId, blocked: UserId) -> QueryResult<bool> {
    diesel::insert_into(b::blocks)
        .values((
            b::blocker_id.eq(blocker),
            b::blocked_id.eq(blocked),
            b::created_at.eq(Utc::now()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|n| n == 1)
}

/// `blocker` no longer blocks `blocked`; false when they did not.
pub fn remove(conn: &mut PgConnection, blocker: UserId, blocked: UserId) -> QueryResult<bool> {
    diesel::delete(b::blocks.filter(b::blocker_id.eq(blocker).and(b::blocked_id.eq(blocked))))
        .execute(conn)
        .map(|n| n == 1)
}

/// Whether `blocker` blocks `blocked`.
pub fn blocks(conn: &mut PgConnection, blocker: UserId, blocked: UserId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        b::blocks.filter(b::blocker_id.eq(blocker).and(b::blocked_id.eq(blocked))),
    ))
    .get_result(conn)
}

/// The people `blocker` blocks (active accounts), most recent first.
pub fn list(conn: &mut PgConnection, blocker: UserId) -> QueryResult<Vec<UserRow>> {
    b::blocks
        .inner_join(u::users.on(u::id.eq(b::blocked_id)))
        .filter(b::blocker_id.eq(blocker).and(u::deleted_at.is_null()))
        .order(b::created_at.desc())
        .select(UserRow::as_select())
        .load(conn)
}

/// The ids `blocker` blocks, to flag their messages for `blocker`.
pub fn blocked_by(conn: &mut PgConnection, blocker: UserId) -> QueryResult<HashSet<UserId>> {
    let ids: Vec<UserId> = b::blocks
        .filter(b::blocker_id.eq(blocker))
        .select(b::blocked_id)
        .load(conn)?;
    Ok(ids.into_iter().collect())
}

/// Which of `users` block `author` (their mentions of them do not count).
pub fn blockers_among(
    conn: &mut PgConnection,
    users: &[UserId],
    author: UserId,
) -> QueryResult<HashSet<UserId>> {
    if users.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<UserId> = b::blocks
        .filter(b::blocked_id.eq(author).and(b::blocker_id.eq_any(users)))
        .select(b::blocker_id)
        .load(conn)?;
    Ok(ids.into_iter().collect())
}

/// Every block as `(blocker, blocked)`, for gateways at start.
pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<(UserId, UserId)>> {
    b::blocks.select((b::blocker_id, b::blocked_id)).load(conn)
}
