//! Who may see an event: computed from the database inside the applying transaction.

use diesel::prelude::*;
use parley_schema::{RoomId, UserId};

/// Every member of a room.
pub fn room_members(conn: &mut PgConnection, room: RoomId) -> QueryResult<Vec<UserId>> {
    parley_db::members::member_ids(conn, room)
}
