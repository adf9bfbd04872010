//! Who may see an event: computed from the database inside the applying transaction.

use diesel::prelude::*;
use parley_schema::UserId;
use uuid::Uuid;

/// Every member of a room.
pub fn room_members(conn: &mut PgConnection, room: Uuid) -> QueryResult<Vec<UserId>> {
    Ok(parley_db::members::member_ids(conn, room)?
        .into_iter()
        .map(UserId::from)
        .collect())
}
