//! Accounts and sessions: register, open and close sessions.

use super::{reject, Applied, ApplyResult};
use chrono::Utc;
use diesel::prelude::*;
use parley_db::rows::UserRow;
use parley_db::{sessions, users, views};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::{Event, FriendChange, FriendEvent, MemberChange};
use parley_schema::{ErrorBody, ErrorCode, Outcome, RequestId, Resource, UserId};

pub fn register(conn: &mut PgConnection, env: &CommandEnvelope) -> ApplyResult {
    let Command::Register {
        user_id,
        username,
        username_key,
        password_hash,
        display_name,
    } = &env.command
    else {
        return Err(reject(ErrorCode::Internal, "not a registration"));
    };
    let skeleton = parley_schema::text::nickname_skeleton(username);
    if users::find_by_key(conn, username_key)?.is_some()
        || users::find_by_skeleton(conn, &skeleton)?.is_some()
    {
        return Err(taken(username));
    }
    let row = UserRow {
        id: *user_id,
        username: username.to_owned(),
        username_key: Some(username_key.to_owned()),
        display_name: display_name.to_owned(),
        status_message: String::new(),
        password_hash: password_hash.to_owned(),
        created_at: Utc::now(),
        deleted_at: None,
        username_skeleton: Some(skeleton),
    };
    match users::insert(conn, &row) {
        Ok(()) => Ok(created(env.request_id, views::user(&row))),
        // Two registrations of one name raced on different partitions.
        Err(e) if parley_db::error::is_unique_violation(&e) => Err(taken(username)),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn created(rid: RequestId, user: parley_schema::model::User) -> Applied {
    Applied::new(rid, Outcome::Created(Resource::User(user)))
}

fn taken(username: &str) -> super::ApplyError {
    let message = format!("the nickname {username:?} is taken");
    let err = ErrorBody::new(ErrorCode::UsernameTaken, message).with_field("username");
    super::ApplyError::Rejected(err)
}

pub fn update_profile(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    display_name: Option<&str>,
    status_message: Option<&str>,
) -> ApplyResult {
    active(conn, actor)?;
    let row = users::update_profile(conn, actor, display_name, status_message)?;
    let user = views::user(&row);
    Ok(
        Applied::new(rid, Outcome::Updated(Resource::User(user.clone())))
            .emit(vec![actor], Event::Profile(user)),
    )
}

/// Deletes an account: sessions, memberships, friendships, saved items and read markers
/// go; messages stay, shown with no author. Rooms it owned pass to their longest-standing
/// member. Everyone concerned hears of it; the account's own streams close.
pub fn delete_account(conn: &mut PgConnection, rid: RequestId, actor: UserId) -> ApplyResult {
    let me = views::user(&active(conn, actor)?);
    let mut applied = Applied::new(rid, Outcome::Done);
    let left = parley_db::members::remove_all_of_user(conn, actor)?;
    for room in parley_db::rooms::owned_by(conn, actor)? {
        match parley_db::members::longest_standing(conn, room)? {
            Some(heir) => parley_db::rooms::set_owner(conn, room, Some(heir))?,
            // Nobody is left to see, own or delete it.
            None => drop(parley_db::rooms::delete(conn, room)?),
        }
    }
    for room in left {
        applied = super::rooms::announce_departure(conn, applied, room, &me, MemberChange::Left)?;
    }
    for fan in parley_db::friends::remove_all_of_user(conn, actor)? {
        applied = applied.emit(
            vec![fan],
            Event::Friend(FriendEvent {
                change: FriendChange::Removed,
                user: me.clone(),
            }),
        );
    }
    parley_db::saved::remove_all_of_user(conn, actor)?;
    sessions::delete_for_user(conn, actor)?;
    users::soft_delete(conn, actor)?;
    Ok(applied.emit(vec![actor], Event::AccountDeleted { user_id: actor }))
}

/// The acting user's account, or `unauthenticated` when it was deleted meanwhile.
fn active(conn: &mut PgConnection, actor: UserId) -> Result<UserRow, super::ApplyError> {
    users::find_active(conn, actor)?
        .ok_or_else(|| reject(ErrorCode::Unauthenticated, "the account is gone"))
}

/// Changes the actor's settings; the answer is all of them as they now are.
pub fn update_settings(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    share_read_receipts: Option<bool>,
    share_presence: Option<bool>,
) -> ApplyResult {
    active(conn, actor)?;
    parley_db::settings::update(conn, actor, share_read_receipts, share_presence)?;
    let settings = parley_db::settings::get(conn, actor)?;
    // My other devices, and every gateway (which follows `share_presence`), hear of it.
    Ok(
        Applied::new(rid, Outcome::Updated(Resource::Settings(settings.clone())))
            .emit(vec![actor], Event::Settings(settings)),
    )
}
