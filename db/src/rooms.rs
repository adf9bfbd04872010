//! Queries on `rooms`, including the per-room `seq` counter.

use crate::rows::RoomRow;
use crate::schema::{memberships::dsl as m, rooms::dsl as r};
use diesel::dsl::count_star;
use diesel::prelude::*;
use parley_schema::{RoomId, UserId};
use std::collections::HashMap;

pub fn insert(conn: &mut PgConnection, row: &RoomRow) -> QueryResult<()> {
    diesel::insert_into(r::rooms)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut PgConnection, id: RoomId) -> QueryResult<Option<RoomRow>> {
    r::rooms
        .find(id)
        .select(RoomRow::as_select())
        .first(conn)
        .optional()
}

/// The room, row-locked until the transaction ends: commands on one room that race
/// (two workers during a rebalance) are applied one after the other.
pub fn find_for_update(conn: &mut PgConnection, id: RoomId) -> QueryResult<Option<RoomRow>> {
    r::rooms
        .find(id)
        .select(RoomRow::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn delete(conn: &mut PgConnection, id: RoomId) -> QueryResult<usize> {
    diesel::delete(r::rooms.find(id)).execute(conn)
}

pub fn member_count(conn: &mut PgConnection, id: RoomId) -> QueryResult<i64> {
    m::memberships
        .filter(m::room_id.eq(id))
        .select(count_star())
        .first(conn)
}

pub fn member_counts(conn: &mut PgConnection, ids: &[RoomId]) -> QueryResult<HashMap<RoomId, i64>> {
    let rows: Vec<(RoomId, i64)> = m::memberships
        .filter(m::room_id.eq_any(ids))
        .group_by(m::room_id)
        .select((m::room_id, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Public rooms `user` is not in, newest first.
pub fn list_public_not_joined(
    conn: &mut PgConnection,
    user: UserId,
    limit: i64,
) -> QueryResult<Vec<RoomRow>> {
    let mine = m::memberships
        .filter(m::user_id.eq(user))
        .select(m::room_id);
    r::rooms
        .filter(r::visibility.eq("public"))
        .filter(r::id.ne_all(mine))
        .order(r::created_at.desc())
        .limit(limit)
        .select(RoomRow::as_select())
        .load(conn)
}

pub fn set_owner(conn: &mut PgConnection, id: RoomId, owner: Option<UserId>) -> QueryResult<()> {
    diesel::update(r::rooms.find(id))
        .set(r::owner_id.eq(owner))
        .execute(conn)
        .map(drop)
}

/// Rooms owned by `user`.
pub fn owned_by(conn: &mut PgConnection, user: UserId) -> QueryResult<Vec<RoomId>> {
    r::rooms
        .filter(r::owner_id.eq(user))
        .select(r::id)
        .load(conn)
}
