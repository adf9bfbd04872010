//! Sessions: open, close one, close all others, change the password, note a use.
//!
//! Every closed session gets a `session_closed` event in its user's partition: each
//! gateway forgets it in its auth cache and ends its streams at once.

use super::accounts::created;
use super::{reject, Applied, ApplyResult};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use parley_db::rows::SessionRow;
use parley_db::{sessions, users, views};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::Event;
use parley_schema::{ErrorCode, Outcome, RequestId, SessionId, UserId};

/// Applies a session command of `actor`.
pub fn apply(conn: &mut PgConnection, env: &CommandEnvelope, actor: UserId) -> ApplyResult {
    let rid = env.request_id;
    match &env.command {
        Command::OpenSession {
            session_id,
            token_hash,
            user_agent,
            ..
        } => {
            let new = NewSession {
                id: *session_id,
                token_hash,
                user_agent,
            };
            open(conn, rid, actor, &new)
        }
        Command::CloseSession { session_id } => {
            close(conn, rid, actor, *session_id, env.session_id)
        }
        Command::CloseOtherSessions { keep } => close_others(conn, rid, actor, *keep),
        Command::ChangePassword {
            password_hash,
            keep,
        } => change_password(conn, rid, actor, password_hash, *keep),
        Command::TouchSession { session_id, at } => touch(conn, rid, *session_id, *at),
        _ => Err(reject(ErrorCode::Internal, "not a session command")),
    }
}

/// What a new session needs besides its user.
pub struct NewSession<'a> {
    pub id: SessionId,
    pub token_hash: &'a str,
    pub user_agent: &'a str,
}

fn open(conn: &mut PgConnection, rid: RequestId, actor: UserId, new: &NewSession) -> ApplyResult {
    let Some(user) = users::find_active(conn, actor)? else {
        return Err(reject(
            ErrorCode::InvalidCredentials,
            "wrong username or password",
        ));
    };
    if parley_db::suspensions::is_suspended(conn, actor)? {
        return Err(reject(
            ErrorCode::AccountSuspended,
            "this account is suspended by the operators",
        ));
    }
    let now = Utc::now();
    sessions::insert(
        conn,
        &SessionRow {
            id: new.id,
            user_id: actor,
            token_hash: new.token_hash.to_owned(),
            created_at: now,
            user_agent: new.user_agent.chars().take(256).collect(),
            last_seen_at: now,
        },
    )?;
    Ok(created(rid, views::user(&user)))
}

pub(super) fn closed(
    applied: Applied,
    actor: UserId,
    gone: impl IntoIterator<Item = SessionId>,
) -> Applied {
    gone.into_iter().fold(applied, |applied, session_id| {
        applied.emit(vec![actor], Event::SessionClosed { session_id })
    })
}

/// Ends one of the actor's sessions; another user's session is `not_found`. Logging out
/// (`current` is the session closed) of a session that another command ended first is
/// done all the same: it is over, which is all logging out asks for.
fn close(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    id: SessionId,
    current: Option<SessionId>,
) -> ApplyResult {
    if sessions::delete(conn, actor, id)? == 0 {
        if current == Some(id) {
            return Ok(Applied::new(rid, Outcome::Done));
        }
        return Err(reject(ErrorCode::NotFound, "no such session"));
    }
    Ok(closed(Applied::new(rid, Outcome::Done), actor, [id]))
}

/// Ends every session of the actor but `keep`.
fn close_others(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    keep: SessionId,
) -> ApplyResult {
    let gone = sessions::delete_others(conn, actor, keep)?;
    Ok(closed(Applied::new(rid, Outcome::Done), actor, gone))
}

/// Stores the new hash and ends every other session.
fn change_password(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    hash: &str,
    keep: SessionId,
) -> ApplyResult {
    if users::set_password_hash(conn, actor, hash)? == 0 {
        return Err(reject(ErrorCode::NotFound, "no such account"));
    }
    let gone = sessions::delete_others(conn, actor, keep)?;
    Ok(closed(Applied::new(rid, Outcome::Done), actor, gone))
}

/// Moves a session's last-seen time; a session that is gone is no error.
fn touch(conn: &mut PgConnection, rid: RequestId, id: SessionId, at: DateTime<Utc>) -> ApplyResult {
    sessions::touch(conn, id, at.min(Utc::now()))?;
    Ok(Applied::new(rid, Outcome::Done))
}
