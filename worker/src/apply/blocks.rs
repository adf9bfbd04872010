//! Blocking: one-way. The blocked person leaves my friends, their pending
//! invitations to me go, and they are told nothing. `block` events go to my own streams;
//! every gateway follows them to filter typing, presence and `from_blocked`.

use super::{named_user, reject, Applied, ApplyError, ApplyResult};
use diesel::prelude::*;
use parley_db::{blocks, friends, invitations, views};
use parley_schema::command::Command;
use parley_schema::event::{Event, FriendChange, FriendEvent};
use parley_schema::social::{BlockEvent, InvitationChange, InvitationEvent};
use parley_schema::{ErrorCode, Outcome, RequestId, Resource, UserId};

pub fn apply(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    command: &Command,
) -> ApplyResult {
    match command {
        Command::Block { username } => block(conn, rid, actor, username),
        Command::Unblock { username } => unblock(conn, rid, actor, username),
        _ => Err(reject(ErrorCode::InvalidJson, "not a block command")),
    }
}

fn block(conn: &mut PgConnection, rid: RequestId, actor: UserId, username: &str) -> ApplyResult {
    let user = named_user(conn, username)?;
    if user.id == actor {
        return Err(ApplyError::Rejected(parley_schema::ErrorBody::new(
            ErrorCode::Forbidden,
            "you cannot block yourself",
        )));
    }
    let view = views::user(&user);
    let mut applied = Applied::new(rid, Outcome::Updated(Resource::User(view.clone())));
    if !blocks::add(conn, actor, user.id)? {
        return Ok(applied);
    }
    // They leave my friends. Mine is the only list that changes: theirs is theirs, and
    // a change to it would tell them.
    if friends::remove(conn, actor, user.id)? {
        let event = FriendEvent {
            change: FriendChange::Removed,
            user: view.clone(),
        };
        applied = applied.emit(vec![actor], Event::Friend(event));
    }
    for invitation in invitations::delete_between(conn, user.id, actor)? {
        // Gone from my other devices' lists too; the inviter is not told.
        let event = InvitationEvent {
            change: InvitationChange::Declined,
            invitation,
        };
        applied = applied.emit(vec![actor], Event::Invitation(event));
    }
    let event = BlockEvent {
        user: view,
        blocked: true,
    };
    Ok(applied.emit(vec![actor], Event::Block(event)))
}

fn unblock(conn: &mut PgConnection, rid: RequestId, actor: UserId, username: &str) -> ApplyResult {
    let user = named_user(conn, username)?;
    if !blocks::remove(conn, actor, user.id)? {
        return Err(reject(
            ErrorCode::NotFound,
            format!("you do not block {username:?}"),
        ));
    }
    let event = BlockEvent {
        user: views::user(&user),
        blocked: false,
    };
    Ok(Applied::new(rid, Outcome::Done).emit(vec![actor], Event::Block(event)))
}
