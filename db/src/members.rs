//! Queries on `memberships`: who is in which room, and their read markers.

use crate::rows::{MembershipRow, RoomRow, UserRow};
use crate::schema::{memberships::dsl as m, rooms::dsl as r, users::dsl as u};
use chrono::Utc;
use diesel::prelude::*;
use parley_schema::{RoomId, UserId};

/// Adds `user` to `room`; false when already a member.
pub fn add(conn: &mut PgConnection, room: RoomId, user: UserId) -> QueryResult<bool> {
    let row = MembershipRow {
        room_id: room,
        user_id: user,
        joined_at: Utc::now(),
        last_read_seq: 0,
        muted: false,
    };
    diesel::insert_into(m::memberships)
        .values(&row)
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|n| n == 1)
}

/// Mutes or unmutes `room` for `user`; false when not a member.
pub fn set_muted(
    conn: &mut PgConnection,
    room: RoomId,
    user: UserId,
    muted: bool,
) -> QueryResult<bool> {
    diesel::update(m::memberships.filter(m::room_id.eq(room).and(m::user_id.eq(user))))
        .set(m::muted.eq(muted))
        .execute(conn)
        .map(|n| n == 1)
}

/// Removes `user` from `room`; false when not a member.
pub fn remove(conn: &mut PgConnection, room: RoomId, user: UserId) -> QueryResult<bool> {
    diesel::delete(m::memberships.filter(m::room_id.eq(room).and(m::user_id.eq(user))))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn remove_all_of_user(conn: &mut PgConnection, user: UserId) -> QueryResult<Vec<RoomId>> {
    diesel::delete(m::memberships.filter(m::user_id.eq(user)))
        .returning(m::room_id)
        .get_results(conn)
}

pub fn find(
    conn: &mut PgConnection,
    room: RoomId,
    user: UserId,
) -> QueryResult<Option<MembershipRow>> {
    m::memberships
        .filter(m::room_id.eq(room).and(m::user_id.eq(user)))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()
}

pub fn is_member(conn: &mut PgConnection, room: RoomId, user: UserId) -> QueryResult<bool> {
    find(conn, room, user).map(|m| m.is_some())
}

/// Every membership, `(room, member)`: what a gateway starts its rooms' members from.
pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<(RoomId, UserId)>> {
    m::memberships.select((m::room_id, m::user_id)).load(conn)
}

pub fn member_ids(conn: &mut PgConnection, room: RoomId) -> QueryResult<Vec<UserId>> {
    m::memberships
        .filter(m::room_id.eq(room))
        .select(m::user_id)
        .load(conn)
}

/// The active members of a room, in joining order.
pub fn members(conn: &mut PgConnection, room: RoomId) -> QueryResult<Vec<UserRow>> {
    m::memberships
        .inner_join(u::users)
        .filter(m::room_id.eq(room).and(u::deleted_at.is_null()))
        .order(m::joined_at.asc())
        .select(UserRow::as_select())
        .load(conn)
}

/// The rooms of `user` with the membership row, newest activity first.
pub fn rooms_of(
    conn: &mut PgConnection,
    user: UserId,
) -> QueryResult<Vec<(RoomRow, MembershipRow)>> {
    m::memberships
        .inner_join(r::rooms)
        .filter(m::user_id.eq(user))
        .order(r::last_seq.desc())
        .select((RoomRow::as_select(), MembershipRow::as_select()))
        .load(conn)
}

/// Moves the read marker forward to `seq` (never backwards); returns the marker after.
pub fn mark_read(
    conn: &mut PgConnection,
    room: RoomId,
    user: UserId,
    seq: i64,
) -> QueryResult<i64> {
    diesel::update(
        m::memberships.filter(
            m::room_id
                .eq(room)
                .and(m::user_id.eq(user))
                .and(m::last_read_seq.lt(seq)),
        ),
    )
    .set(m::last_read_seq.eq(seq))
    .execute(conn)?;
    m::memberships
        .filter(m::room_id.eq(room).and(m::user_id.eq(user)))
        .select(m::last_read_seq)
        .first(conn)
}

/// The member who joined `room` first, if any is left.
pub fn longest_standing(conn: &mut PgConnection, room: RoomId) -> QueryResult<Option<UserId>> {
    m::memberships
        .filter(m::room_id.eq(room))
        .order(m::joined_at.asc())
        .select(m::user_id)
        .first(conn)
        .optional()
}
