//! Messages: send (with per-room seq and client_id idempotency), read markers, saving.

use super::{audience, reject, ApplyResult, Outcome};
use chrono::Utc;
use diesel::prelude::*;
use parley_db::rows::MessageRow;
use parley_db::{members, messages, rooms, saved};
use parley_schema::event::Event;
use parley_schema::model::ReadMarker;
use parley_schema::{ErrorCode, MessageId, RequestId, RoomId, UserId};

#[allow(clippy::too_many_arguments)]
pub fn send(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
    message_id: MessageId,
    body: &str,
    client_id: &Option<String>,
) -> ApplyResult {
    if rooms::find_for_update(conn, room_id.0)?.is_none() {
        return Err(reject(ErrorCode::NotFound, "no such room"));
    }
    if !members::is_member(conn, room_id.0, actor.0)? {
        return Err(reject(
            ErrorCode::NotAMember,
            "you are not a member of this room",
        ));
    }
    if let Some(cid) = client_id {
        if let Some(existing) = messages::find_by_client_id(conn, actor.0, cid)? {
            // The same client_id again: answer with the stored message, store nothing.
            return Ok(Outcome::new(201, existing));
        }
    }
    let seq = rooms::reserve_seqs(conn, room_id.0, 1)?;
    let row = MessageRow {
        id: message_id.0,
        room_id: room_id.0,
        seq,
        author_id: Some(actor.0),
        body: body.to_owned(),
        client_id: client_id.clone(),
        created_at: Utc::now(),
    };
    messages::insert_many(conn, std::slice::from_ref(&row))?;
    // One's own message is read by definition.
    members::mark_read(conn, room_id.0, actor.0, seq)?;
    let Some(message) = messages::find(conn, message_id.0)? else {
        return Err(reject(ErrorCode::Internal, "stored message vanished"));
    };
    let audience = audience::room_members(conn, room_id.0)?;
    let marker = ReadMarker {
        room_id,
        last_read_seq: seq,
        unread_count: 0,
    };
    Ok(Outcome::new(201, &message)
        .emit(audience, rid, Event::Message(message))
        .emit(vec![actor], rid, Event::Read(marker)))
}

/// `PUT /api/rooms/{id}/read`: the marker moves forward only, up to the room's last seq.
pub fn mark_read(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
    seq: i64,
) -> ApplyResult {
    let Some(room) = rooms::find(conn, room_id.0)? else {
        return Err(reject(ErrorCode::NotFound, "no such room"));
    };
    if !members::is_member(conn, room_id.0, actor.0)? {
        return Err(reject(
            ErrorCode::NotAMember,
            "you are not a member of this room",
        ));
    }
    let last_read_seq = members::mark_read(conn, room_id.0, actor.0, seq.min(room.last_seq))?;
    let marker = ReadMarker {
        room_id,
        last_read_seq,
        unread_count: (room.last_seq - last_read_seq).max(0),
    };
    Ok(Outcome::new(200, &marker).emit(vec![actor], rid, Event::Read(marker)))
}

/// `PUT /api/saved/{id}`: only a message of a room one is in.
pub fn save(conn: &mut PgConnection, actor: UserId, message_id: MessageId) -> ApplyResult {
    let Some(message) = messages::find(conn, message_id.0)? else {
        return Err(reject(ErrorCode::NotFound, "no such message"));
    };
    if !members::is_member(conn, message.room_id.0, actor.0)? {
        return Err(reject(
            ErrorCode::NotAMember,
            "you can save messages of your rooms only",
        ));
    }
    saved::add(conn, actor.0, message_id.0)?;
    Ok(Outcome::no_content())
}

/// `DELETE /api/saved/{id}`: idempotent.
pub fn unsave(conn: &mut PgConnection, actor: UserId, message_id: MessageId) -> ApplyResult {
    saved::remove(conn, actor.0, message_id.0)?;
    Ok(Outcome::no_content())
}
