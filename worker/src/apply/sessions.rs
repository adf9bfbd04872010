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
use parley_schema::event::Event;
use parley_schema::{ErrorCode, Outcome, RequestId, SessionId, UserId};

/// What a new session needs besides its user.
pub struct NewSession<'a> {
    pub id: SessionId,
    pub token_hash: &'a str,
    pub user_agent: &'a str,
}

pub fn open(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    new: &NewSession,
) -> ApplyResult {
    let Some(user) = users::find_active(conn, actor)? else {
        return Err(reject(
            ErrorCode::InvalidCredentials,
            "wrong username or password",
        ));
    };
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

fn closed(applied: Applied, actor: UserId, gone: impl IntoIterator<Item = SessionId>) -> Applied {
    gone.into_iter().fold(applied, |applied, session_id| {
        applied.emit(vec![actor], Event::SessionClosed { session_id })
    })
}

/// Ends one of the actor's sessions; another user's session is `not_found`.
pub fn close(conn: &mut PgConnection, rid: RequestId, actor: UserId, id: SessionId) -> ApplyResult {
    if sessions::delete(conn, actor, id)? == 0 {
        return Err(reject(ErrorCode::NotFound, "no such session"));
    }
    Ok(closed(Applied::new(rid, Outcome::Done), actor, [id]))
}

/// Ends every session of the actor but `keep`.
pub fn close_others(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    keep: SessionId,
) -> ApplyResult {
    let gone = sessions::delete_others(conn, actor, keep)?;
    Ok(closed(Applied::new(rid, Outcome::Done), actor, gone))
}

/// Stores the new hash and ends every other session.
pub fn change_password(
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
pub fn touch(
    conn: &mut PgConnection,
    rid: RequestId,
    id: SessionId,
    at: DateTime<Utc>,
) -> ApplyResult {
    sessions::touch(conn, id, at.min(Utc::now()))?;
    Ok(Applied::new(rid, Outcome::Done))
}
