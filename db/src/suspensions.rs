//! `suspensions`: accounts an operator suspended (`parley-admin suspend`); they cannot
//! sign in until reinstated.

use crate::schema::suspensions::dsl as s;
use chrono::Utc;
use diesel::prelude::*;
use parley_schema::UserId;

/// Suspends `user` (again: the newer reason and operator win).
pub fn suspend(
    conn: &mut PgConnection,
    user: UserId,
    operator: &str,
    reason: &str,
) -> QueryResult<()> {
    let values = (
        s::user_id.eq(user),
        s::operator.eq(operator),
        s::reason.eq(reason),
        s::suspended_at.eq(Utc::now()),
    );
    diesel::insert_into(s::suspensions)
        .values(values)
        .on_conflict(s::user_id)
        .do_update()
        .set(values)
        .execute(conn)
        .map(drop)
}

/// Lifts `user`'s suspension; false when there was none.
pub fn reinstate(conn: &mut PgConnection, user: UserId) -> QueryResult<bool> {
    let n = diesel::delete(s::suspensions.filter(s::user_id.eq(user))).execute(conn)?;
    Ok(n > 0)
}

/// Whether `user` is suspended.
pub fn is_suspended(conn: &mut PgConnection, user: UserId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        s::suspensions.filter(s::user_id.eq(user)),
    ))
    .get_result(conn)
}
