//! Rooms: create (with members), and later join, leave, remove, delete.

use super::{audience, reject, ApplyResult, Outcome};
use chrono::Utc;
use diesel::prelude::*;
use parley_db::rows::RoomRow;
use parley_db::{members, rooms, users, views};
use parley_schema::event::{Event, RoomChange, RoomEvent};
use parley_schema::model::Visibility;
use parley_schema::validate::username_key;
use parley_schema::{ErrorCode, RequestId, RoomId, UserId};

pub fn create(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
    name: &str,
    visibility: Visibility,
    member_names: &[String],
) -> ApplyResult {
    let keys: Vec<String> = member_names.iter().map(|n| username_key(n)).collect();
    let found = users::find_by_keys(conn, &keys)?;
    if let Some(missing) = member_names.iter().find(|n| {
        let key = username_key(n);
        !found
            .iter()
            .any(|u| u.username_key.as_deref() == Some(key.as_str()))
    }) {
        return Err(reject(
            ErrorCode::NotFound,
            format!("no user named {missing:?}"),
        ));
    }
    let row = RoomRow {
        id: room_id.0,
        name: name.to_owned(),
        visibility: visibility.as_str().to_owned(),
        owner_id: Some(actor.0),
        created_at: Utc::now(),
        last_seq: 0,
    };
    rooms::insert(conn, &row)?;
    members::add(conn, room_id.0, actor.0)?;
    for user in &found {
        members::add(conn, room_id.0, user.id)?;
    }
    let count = rooms::member_count(conn, room_id.0)?;
    let room = views::room(&row, count);
    let audience = audience::room_members(conn, room_id.0)?;
    Ok(Outcome::new(201, &room).emit(
        audience,
        rid,
        Event::Room(RoomEvent {
            change: RoomChange::Created,
            room,
        }),
    ))
}
