//! Operator moderation (`parley-admin`): removing a message, suspending and reinstating an
//! account, closing a room. Each reuses the event of the matching user action, so streams,
//! history and search follow exactly as they do for those.

use super::{edits, reject, rooms, sessions, Applied, ApplyResult};
use diesel::PgConnection;
use parley_db::{suspensions, users};
use parley_schema::command::Command;
use parley_schema::moderation::Moderation;
use parley_schema::{ErrorCode, MessageId, Outcome, RequestId, RoomId, UserId};

/// Applies a `moderate` command: its action, run by its operator for its reason.
pub fn apply(conn: &mut PgConnection, rid: RequestId, command: &Command) -> ApplyResult {
    let Command::Moderate {
        operator,
        reason,
        action,
    } = command
    else {
        return Err(reject(ErrorCode::Internal, "not a moderation command"));
    };
    tracing::info!(operator, reason, action = action.kind(), "moderation");
    match action {
        Moderation::RemoveMessage {
            room_id,
            message_id,
        } => remove_message(conn, rid, *room_id, *message_id),
        Moderation::SuspendUser { user_id } => suspend(conn, rid, *user_id, operator, reason),
        Moderation::ReinstateUser { user_id } => {
            if suspensions::reinstate(conn, *user_id)? {
                Ok(Applied::new(rid, Outcome::Done))
            } else {
                Err(reject(ErrorCode::NotFound, "the account is not suspended"))
            }
        }
        Moderation::CloseRoom { room_id } => {
            let room = rooms::locked_room(conn, *room_id)?;
            rooms::remove(conn, rid, &room)
        }
    }
}

/// Tombstones a message whoever wrote it; a message deleted already is done.
fn remove_message(
    conn: &mut PgConnection,
    rid: RequestId,
    room: RoomId,
    id: MessageId,
) -> ApplyResult {
    let row = parley_db::edits::lock(conn, room, id)?
        .ok_or_else(|| reject(ErrorCode::NotFound, "no such message in that room"))?;
    edits::tombstone(conn, rid, room, &row)
}

/// Suspends an account and ends its sessions (each gets `session_closed`, which closes
/// its streams on every gateway).
fn suspend(
    conn: &mut PgConnection,
    rid: RequestId,
    user: UserId,
    operator: &str,
    reason: &str,
) -> ApplyResult {
    if users::find_active(conn, user)?.is_none() {
        return Err(reject(ErrorCode::NotFound, "no such account"));
    }
    suspensions::suspend(conn, user, operator, reason)?;
    let gone = parley_db::sessions::delete_for_user(conn, user)?;
    Ok(sessions::closed(
        Applied::new(rid, Outcome::Done),
        user,
        gone,
    ))
}
