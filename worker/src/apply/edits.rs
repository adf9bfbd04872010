//! Changing a sent message: editing and deleting it, and reactions. Only the author
//! edits; the author or the room's owner deletes; every member gets `message_updated` with
//! the whole message, in the room's order. Deleting a tombstone again changes nothing and
//! says so (`Done`). Any member reacts, at most [`MAX_EMOJI_PER_MESSAGE`] distinct emoji a
//! message; adding a reaction twice or taking back one that is not there is `Done`.

use super::{reject, Applied, ApplyError, ApplyResult};
use chrono::Utc;
use diesel::prelude::*;
use parley_db::rows::MessageRow;
use parley_db::{edits, members, reactions, rooms};
use parley_schema::command::Command;
use parley_schema::event::{Event, ReactionEvent};
use parley_schema::markup::MAX_EMOJI_PER_MESSAGE;
use parley_schema::{
    ErrorBody, ErrorCode, MessageId, Outcome, RequestId, Resource, RoomId, UserId,
};

/// The message, locked, once the actor is known to be a member of its room; with the
/// room's owner.
fn member_message(
    conn: &mut PgConnection,
    actor: UserId,
    room: RoomId,
    id: MessageId,
) -> Result<(MessageRow, Option<UserId>), ApplyError> {
    let Some(found) = rooms::find(conn, room)? else {
        return Err(reject(ErrorCode::NotFound, "no such room"));
    };
    if !members::is_member(conn, room, actor)? {
        return Err(reject(
            ErrorCode::NotAMember,
            "you are not a member of this room",
        ));
    }
    let row = edits::lock(conn, room, id)?
        .ok_or_else(|| reject(ErrorCode::NotFound, "no such message"))?;
    Ok((row, found.owner_id))
}

fn updated(conn: &mut PgConnection, rid: RequestId, room: RoomId, id: MessageId) -> ApplyResult {
    let message =
        edits::view(conn, id)?.ok_or_else(|| reject(ErrorCode::NotFound, "no such message"))?;
    Ok(
        Applied::new(rid, Outcome::Updated(Resource::Message(message.clone())))
            .emit_to_room(room, Event::MessageUpdated(message)),
    )
}

/// Applies an `edit_message`, `delete_message` or `set_reaction` command.
pub fn apply(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    command: &Command,
) -> ApplyResult {
    match command {
        Command::EditMessage {
            room_id,
            message_id,
            body,
        } => edit(conn, rid, actor, (*room_id, *message_id), body),
        Command::DeleteMessage {
            room_id,
            message_id,
        } => delete(conn, rid, actor, (*room_id, *message_id)),
        Command::SetReaction {
            room_id,
            message_id,
            emoji,
            on,
        } => react(conn, rid, actor, (*room_id, *message_id), emoji, *on),
        _ => Err(reject(ErrorCode::Internal, "not a message edit")),
    }
}

fn edit(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    (room, id): (RoomId, MessageId),
    body: &str,
) -> ApplyResult {
    let (row, _) = member_message(conn, actor, room, id)?;
    if row.deleted_at.is_some() {
        return Err(reject(ErrorCode::NotFound, "the message was deleted"));
    }
    if row.author_id != Some(actor) {
        return Err(reject(
            ErrorCode::Forbidden,
            "only its author edits a message",
        ));
    }
    edits::set_body(conn, id, body, Utc::now())?;
    updated(conn, rid, room, id)
}

fn delete(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    (room, id): (RoomId, MessageId),
) -> ApplyResult {
    let (row, owner) = member_message(conn, actor, room, id)?;
    if row.author_id != Some(actor) && owner != Some(actor) {
        return Err(reject(
            ErrorCode::Forbidden,
            "only its author or the room's owner deletes a message",
        ));
    }
    tombstone(conn, rid, room, &row)
}

/// Tombstones `row`, a message of `room`, and tells the room (its author's or owner's
/// delete, an operator's removal); one deleted already is done.
pub(super) fn tombstone(
    conn: &mut PgConnection,
    rid: RequestId,
    room: RoomId,
    row: &MessageRow,
) -> ApplyResult {
    if row.deleted_at.is_some() {
        return Ok(Applied::new(rid, Outcome::Done));
    }
    edits::tombstone(conn, row.id, Utc::now())?;
    updated(conn, rid, room, row.id)
}

fn react(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    (room, id): (RoomId, MessageId),
    emoji: &str,
    on: bool,
) -> ApplyResult {
    let (row, _) = member_message(conn, actor, room, id)?;
    if row.deleted_at.is_some() {
        return Err(reject(ErrorCode::NotFound, "the message was deleted"));
    }
    let changed = if on {
        let present = reactions::emoji_of(conn, id)?;
        if !present.iter().any(|e| e == emoji) && present.len() >= MAX_EMOJI_PER_MESSAGE {
            return Err(ApplyError::Rejected(
                ErrorBody::new(
                    ErrorCode::ValidationFailed,
                    format!("a message holds at most {MAX_EMOJI_PER_MESSAGE} different emoji"),
                )
                .with_field("emoji"),
            ));
        }
        reactions::add(conn, id, emoji, actor)?
    } else {
        reactions::remove(conn, id, emoji, actor)?
    };
    if !changed {
        return Ok(Applied::new(rid, Outcome::Done));
    }
    let event = ReactionEvent {
        room_id: room,
        message_id: id,
        emoji: emoji.to_owned(),
        user_id: actor,
        on,
        count: reactions::count(conn, id, emoji)?,
    };
    Ok(Applied::new(rid, Outcome::Done).emit_to_room(room, Event::Reaction(event)))
}
