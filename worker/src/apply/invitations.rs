//! Invitations: someone who does not have the inviter as a friend is invited instead of
//! added, and joins only by accepting. `invitation` events go to the invitee alone; a
//! declined invitation tells nobody else.

use super::rooms::{member_and_room, room_view};
use super::{reject, Applied, ApplyError, ApplyResult};
use diesel::prelude::*;
use parley_db::rows::{RoomRow, UserRow};
use parley_db::{invitations, members, rooms, users, views};
use parley_schema::command::Command;
use parley_schema::event::{Event, MemberChange, MemberEvent};
use parley_schema::social::{Invitation, InvitationChange, InvitationEvent};
use parley_schema::{ErrorCode, InvitationId, Outcome, RequestId, Resource, RoomId, UserId};

/// Invites `invitee` into `room` (the pending invitation already there stands), and tells
/// them with an `invitation` event.
pub fn invite(
    conn: &mut PgConnection,
    applied: Applied,
    room: &RoomRow,
    inviter: UserId,
    invitee: &UserRow,
) -> Result<(Applied, Invitation), ApplyError> {
    let id = invitations::invite(conn, InvitationId::new(), room.id, inviter, invitee.id)?;
    let invitation = invitations::get(conn, id)?
        .ok_or_else(|| reject(ErrorCode::NotFound, "the invitation is gone"))?;
    let event = InvitationEvent {
        change: InvitationChange::Created,
        invitation: invitation.clone(),
    };
    let applied = applied.emit(vec![invitee.id], Event::Invitation(event));
    Ok((applied, invitation))
}

pub fn apply(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    command: &Command,
) -> ApplyResult {
    let (room_id, id, accept) = match command {
        Command::AcceptInvitation {
            room_id,
            invitation_id,
        } => (*room_id, *invitation_id, true),
        Command::DeclineInvitation {
            room_id,
            invitation_id,
        } => (*room_id, *invitation_id, false),
        _ => return Err(reject(ErrorCode::InvalidJson, "not an invitation command")),
    };
    let invitation = invitations::find_for_invitee(conn, id, actor)?
        .filter(|i| i.room_id == room_id)
        .map(|_| invitations::get(conn, id))
        .transpose()?
        .flatten()
        .ok_or_else(|| reject(ErrorCode::NotFound, "no such invitation"))?;
    invitations::delete(conn, id)?;
    if accept {
        join(conn, rid, actor, room_id, invitation)
    } else {
        let event = InvitationEvent {
            change: InvitationChange::Declined,
            invitation,
        };
        Ok(Applied::new(rid, Outcome::Done).emit(vec![actor], Event::Invitation(event)))
    }
}

/// The invitee joins (or is a member already); the room's members hear of it.
fn join(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
    invitation: Invitation,
) -> ApplyResult {
    let room = rooms::find_for_update(conn, room_id)?
        .ok_or_else(|| reject(ErrorCode::NotFound, "no such room"))?;
    let user = users::find_active(conn, actor)?
        .ok_or_else(|| reject(ErrorCode::Unauthenticated, "no such user"))?;
    let added = members::add(conn, room.id, actor)?;
    let view = room_view(conn, &room)?;
    let event = InvitationEvent {
        change: InvitationChange::Accepted,
        invitation,
    };
    let applied = Applied::new(rid, Outcome::Created(Resource::Room(view.clone())))
        .emit(vec![actor], Event::Invitation(event));
    if !added {
        return Ok(applied);
    }
    let joined = MemberEvent {
        change: MemberChange::Joined,
        room_id,
        user: views::user(&user),
    };
    Ok(member_and_room(applied, joined, view))
}
