//! Friends: a one-way list; `friend` events go to the list's owner (all their devices).

use super::{named_user, reject, Applied, ApplyResult};
use diesel::prelude::*;
use parley_db::{friends, views};
use parley_schema::event::{Event, FriendChange, FriendEvent};
use parley_schema::{ErrorBody, ErrorCode, Outcome, RequestId, Resource, UserId};

pub fn add(conn: &mut PgConnection, rid: RequestId, actor: UserId, username: &str) -> ApplyResult {
    let friend = named_user(conn, username)?;
    if parley_db::blocks::blocks(conn, friend.id, actor)? {
        // They block me: the answer of an unknown name.
        return Err(reject(
            ErrorCode::NotFound,
            format!("no user named {username:?}"),
        ));
    }
    if friend.id == actor {
        // The gateway refuses it first; this holds for commands published before that.
        return Err(super::ApplyError::Rejected(ErrorBody::new(
            ErrorCode::Forbidden,
            "you cannot add yourself as a friend",
        )));
    }
    if !friends::add(conn, actor, friend.id)? {
        return Err(reject(
            ErrorCode::AlreadyFriends,
            format!("{username:?} is already your friend"),
        ));
    }
    let user = views::user(&friend);
    Ok(
        Applied::new(rid, Outcome::Created(Resource::User(user.clone()))).emit(
            vec![actor],
            Event::Friend(FriendEvent {
                change: FriendChange::Added,
                user,
            }),
        ),
    )
}

pub fn remove(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    username: &str,
) -> ApplyResult {
    let friend = named_user(conn, username)?;
    if !friends::remove(conn, actor, friend.id)? {
        return Err(reject(
            ErrorCode::NotFound,
            format!("{username:?} is not your friend"),
        ));
    }
    Ok(Applied::new(rid, Outcome::Done).emit(
        vec![actor],
        Event::Friend(FriendEvent {
            change: FriendChange::Removed,
            user: views::user(&friend),
        }),
    ))
}
