//! Applying one command to Postgres: the domain rules of every write.
//!
//! `apply` runs inside a savepoint of the batch's transaction. It returns the outcome the
//! caller gets (status and body) and the events others see; a rule the command breaks is a
//! `Rejected` error, which rolls back only this command.

mod accounts;
mod audience;
mod friends;
mod messages;
mod rooms;
pub mod sends;

use diesel::PgConnection;
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::{Event, EventEnvelope};
use parley_schema::{ErrorBody, ErrorCode, RequestId, UserId};
use serde::Serialize;
use thiserror::Error;

/// What applying a command produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: u16,
    pub body: serde_json::Value,
    /// Events for others (the `result` event is added by the caller).
    pub events: Vec<EventEnvelope>,
}

impl Outcome {
    pub fn new(status: u16, body: impl Serialize) -> Self {
        Self {
            status,
            body: serde_json::to_value(body).unwrap_or(serde_json::Value::Null),
            events: Vec::new(),
        }
    }

    pub fn no_content() -> Self {
        Self::new(204, serde_json::Value::Null)
    }

    pub fn error(err: &ErrorBody) -> Self {
        Self::new(err.code.status(), err)
    }

    /// Adds an event for `audience`.
    pub fn emit(mut self, audience: Vec<UserId>, request_id: RequestId, event: Event) -> Self {
        if !audience.is_empty() {
            self.events.push(EventEnvelope {
                id: None,
                request_id: Some(request_id),
                audience,
                event,
            });
        }
        self
    }
}

#[derive(Debug, Error)]
pub enum ApplyError {
    /// The command breaks a rule; the caller gets this error, nothing is stored.
    #[error("rejected: {0:?}")]
    Rejected(ErrorBody),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

pub type ApplyResult = Result<Outcome, ApplyError>;

pub(crate) fn reject(code: ErrorCode, message: impl Into<String>) -> ApplyError {
    ApplyError::Rejected(ErrorBody::new(code, message))
}

/// Who gets the `result` event of a command.
pub fn result_audience(env: &CommandEnvelope) -> Option<UserId> {
    match (&env.command, env.actor) {
        (Command::Register { user_id, .. }, _) => Some(*user_id),
        (_, actor) => actor,
    }
}

/// Applies one command. Call inside a (nested) transaction.
pub fn apply(conn: &mut PgConnection, env: &CommandEnvelope) -> ApplyResult {
    let rid = env.request_id;
    if let Command::Register {
        user_id,
        username,
        username_key,
        password_hash,
        display_name,
    } = &env.command
    {
        return accounts::register(
            conn,
            *user_id,
            username,
            username_key,
            password_hash,
            display_name,
        );
    }
    let actor = env
        .actor
        .ok_or_else(|| reject(ErrorCode::Unauthenticated, "command has no acting user"))?;
    match &env.command {
        Command::Register { .. } => Err(reject(ErrorCode::Internal, "unreachable")),
        Command::OpenSession {
            session_id,
            token_hash,
        } => accounts::open_session(conn, actor, *session_id, token_hash),
        Command::CloseSession { session_id } => {
            accounts::close_session(conn, rid, actor, *session_id)
        }
        Command::CreateRoom {
            room_id,
            name,
            visibility,
            members,
        } => rooms::create(conn, rid, actor, *room_id, name, *visibility, members),
        Command::SendMessage {
            room_id,
            message_id,
            body,
            client_id,
        } => messages::send(conn, rid, actor, *room_id, *message_id, body, client_id),
        Command::UpdateProfile {
            display_name,
            status_message,
        } => accounts::update_profile(
            conn,
            rid,
            actor,
            display_name.as_deref(),
            status_message.as_deref(),
        ),
        Command::DeleteAccount => accounts::delete_account(conn, rid, actor),
        Command::AddFriend { username } => friends::add(conn, rid, actor, username),
        Command::RemoveFriend { username } => friends::remove(conn, rid, actor, username),
        Command::AddMember { room_id, username } => {
            rooms::add_member(conn, rid, actor, *room_id, username)
        }
        Command::RemoveMember { room_id, username } => {
            rooms::remove_member(conn, rid, actor, *room_id, username)
        }
        Command::DeleteRoom { room_id } => rooms::delete(conn, rid, actor, *room_id),
        Command::MarkRead { room_id, seq } => messages::mark_read(conn, rid, actor, *room_id, *seq),
        Command::SaveMessage { message_id } => messages::save(conn, actor, *message_id),
        Command::UnsaveMessage { message_id } => messages::unsave(conn, actor, *message_id),
    }
}
