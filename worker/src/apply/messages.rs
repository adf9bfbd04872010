//! Read markers and saved messages (sends are in [`super::sends`]).

use super::{reject, Applied, ApplyResult};
use diesel::prelude::*;
use parley_db::{members, messages, rooms, saved};
use parley_schema::event::Event;
use parley_schema::model::{ReadMarker, RoomSettings};
use parley_schema::{ErrorCode, MessageId, Outcome, RequestId, Resource, RoomId, UserId};

/// Moves a read marker: forward only, up to the room's last seq.
pub fn mark_read(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
    seq: i64,
) -> ApplyResult {
    let Some(room) = rooms::find(conn, room_id)? else {
        return Err(reject(ErrorCode::NotFound, "no such room"));
    };
    if !members::is_member(conn, room_id, actor)? {
        return Err(reject(
            ErrorCode::NotAMember,
            "you are not a member of this room",
        ));
    }
    let last_read_seq = members::mark_read(conn, room_id, actor, seq.min(room.last_seq))?;
    let marker = ReadMarker {
        room_id,
        last_read_seq,
        unread_count: (room.last_seq - last_read_seq).max(0),
    };
    Ok(
        Applied::new(rid, Outcome::Updated(Resource::Read(marker.clone())))
            .emit(vec![actor], Event::Read(marker)),
    )
}

/// Saves a message: only one of a room one is in.
pub fn save(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    message_id: MessageId,
) -> ApplyResult {
    let Some(message) = messages::find(conn, message_id)? else {
        return Err(reject(ErrorCode::NotFound, "no such message"));
    };
    if !members::is_member(conn, message.room_id, actor)? {
        return Err(reject(
            ErrorCode::NotAMember,
            "you can save messages of your rooms only",
        ));
    }
    saved::add(conn, actor, message_id)?;
    Ok(Applied::new(rid, Outcome::Done))
}

/// Forgets a saved message; idempotent.
pub fn unsave(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    message_id: MessageId,
) -> ApplyResult {
    saved::remove(conn, actor, message_id)?;
    Ok(Applied::new(rid, Outcome::Done))
}

/// Mutes or unmutes a room for a member; every stream of theirs hears of it.
pub fn set_room_settings(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
    muted: bool,
) -> ApplyResult {
    if rooms::find(conn, room_id)?.is_none() {
        return Err(reject(ErrorCode::NotFound, "no such room"));
    }
    if !members::set_muted(conn, room_id, actor, muted)? {
        return Err(reject(
            ErrorCode::NotAMember,
            "you are not a member of this room",
        ));
    }
    let settings = RoomSettings { room_id, muted };
    Ok(Applied::new(
        rid,
        Outcome::Updated(Resource::RoomSettings(settings.clone())),
    )
    .emit(vec![actor], Event::RoomSettings(settings)))
}
