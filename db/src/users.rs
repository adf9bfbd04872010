//! Queries on `users`. "Active" means not deleted.

use crate::rows::UserRow;
use crate::schema::users::dsl as u;
use chrono::Utc;
use diesel::prelude::*;
use parley_schema::UserId;

pub fn insert(conn: &mut PgConnection, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(u::users)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find_active(conn: &mut PgConnection, id: UserId) -> QueryResult<Option<UserRow>> {
    u::users
        .filter(u::id.eq(id).and(u::deleted_at.is_null()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The active user whose case-insensitive key is `key`.
pub fn find_by_key(conn: &mut PgConnection, key: &str) -> QueryResult<Option<UserRow>> {
    u::users
        .filter(u::username_key.eq(key).and(u::deleted_at.is_null()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The active user whose nickname looks like one with skeleton `skeleton`.
pub fn find_by_skeleton(conn: &mut PgConnection, skeleton: &str) -> QueryResult<Option<UserRow>> {
    u::users
        .filter(
            u::username_skeleton
                .eq(skeleton)
                .and(u::deleted_at.is_null()),
        )
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Active accounts made before skeletons were stored: `(id, username)`.
pub fn without_skeleton(conn: &mut PgConnection) -> QueryResult<Vec<(UserId, String)>> {
    u::users
        .filter(u::username_skeleton.is_null().and(u::deleted_at.is_null()))
        .select((u::id, u::username))
        .load(conn)
}

/// Stores a skeleton computed for an account made before skeletons were.
pub fn set_skeleton(conn: &mut PgConnection, id: UserId, skeleton: &str) -> QueryResult<usize> {
    diesel::update(u::users.filter(u::id.eq(id)))
        .set(u::username_skeleton.eq(skeleton))
        .execute(conn)
}

/// Replaces the password hash.
pub fn set_password_hash(conn: &mut PgConnection, id: UserId, hash: &str) -> QueryResult<usize> {
    diesel::update(u::users.filter(u::id.eq(id).and(u::deleted_at.is_null())))
        .set(u::password_hash.eq(hash))
        .execute(conn)
}

pub fn find_by_keys(conn: &mut PgConnection, keys: &[String]) -> QueryResult<Vec<UserRow>> {
    u::users
        .filter(u::username_key.eq_any(keys).and(u::deleted_at.is_null()))
        .select(UserRow::as_select())
        .load(conn)
}

pub fn update_profile(
    conn: &mut PgConnection,
    id: UserId,
    display_name: Option<&str>,
    status_message: Option<&str>,
) -> QueryResult<UserRow> {
    let target = u::users.filter(u::id.eq(id));
    if let Some(name) = display_name {
        diesel::update(target)
            .set(u::display_name.eq(name))
            .execute(conn)?;
    }
    if let Some(status) = status_message {
        diesel::update(target)
            .set(u::status_message.eq(status))
            .execute(conn)?;
    }
    target.select(UserRow::as_select()).first(conn)
}

/// Marks the account deleted, frees its nickname and forgets its password hash. The row
/// stays so that messages keep a (hidden) author.
pub fn soft_delete(conn: &mut PgConnection, id: UserId) -> QueryResult<()> {
    diesel::update(u::users.filter(u::id.eq(id)))
        .set((
            u::deleted_at.eq(Some(Utc::now())),
            u::username_key.eq(None::<String>),
            u::username_skeleton.eq(None::<String>),
            u::password_hash.eq(""),
            u::status_message.eq(""),
        ))
        .execute(conn)
        .map(drop)
}
