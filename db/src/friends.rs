//! Queries on `friendships`: a one-way list of the people a user calls friends.

use crate::rows::UserRow;
use crate::schema::{friendships::dsl as f, users::dsl as u};
use chrono::Utc;
use diesel::prelude::*;
use parley_schema::UserId;

/// Adds `friend` to `user`'s list; false when already there.
pub fn add(conn: &mut PgConnection, user: UserId, friend: UserId) -> QueryResult<bool> {
    diesel::insert_into(f::friendships)
        .values((
            f::user_id.eq(user),
            f::friend_id.eq(friend),
            f::created_at.eq(Utc::now()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|n| n == 1)
}

/// Removes `friend` from `user`'s list; false when not there.
pub fn remove(conn: &mut PgConnection, user: UserId, friend: UserId) -> QueryResult<bool> {
    diesel::delete(f::friendships.filter(f::user_id.eq(user).and(f::friend_id.eq(friend))))
        .execute(conn)
        .map(|n| n == 1)
}

/// `user`'s friends (active accounts), in the order they were added.
pub fn list(conn: &mut PgConnection, user: UserId) -> QueryResult<Vec<UserRow>> {
    f::friendships
        .inner_join(u::users.on(u::id.eq(f::friend_id)))
        .filter(f::user_id.eq(user).and(u::deleted_at.is_null()))
        .order(f::created_at.asc())
        .select(UserRow::as_select())
        .load(conn)
}

/// Deletes every friendship of `user`, both ways; returns who had `user` as a friend.
pub fn remove_all_of_user(conn: &mut PgConnection, user: UserId) -> QueryResult<Vec<UserId>> {
    diesel::delete(f::friendships.filter(f::user_id.eq(user))).execute(conn)?;
    diesel::delete(f::friendships.filter(f::friend_id.eq(user)))
        .returning(f::user_id)
        .get_results(conn)
}

/// Whether `user` has `friend` in their list.
pub fn has(conn: &mut PgConnection, user: UserId, friend: UserId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        f::friendships.filter(f::user_id.eq(user).and(f::friend_id.eq(friend))),
    ))
    .get_result(conn)
}

/// Every friendship as `(user, friend)`, for gateways at start.
pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<(UserId, UserId)>> {
    f::friendships.select((f::user_id, f::friend_id)).load(conn)
}
