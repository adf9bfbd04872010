//! Applying commands to Postgres: the domain rules of every write.
//!
//! `apply` runs inside a savepoint of the batch's transaction. It returns what the command
//! came to (an [`Outcome`]) and the events others see; a rule the command breaks is a
//! `Rejected` error, which rolls back only this command. Sends go through [`sends`] alone:
//! a single send is a batch of one.

mod accounts;
mod blocks;
mod edits;
mod friends;
mod invitations;
mod messages;
mod moderation;
mod rooms;
pub mod sends;
mod sessions;

use diesel::PgConnection;
use parley_db::rows::UserRow;
use parley_db::users;
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::{Event, EventEnvelope};
use parley_schema::validate::username_key;
use parley_schema::{ErrorBody, ErrorCode, Outcome, RequestId, RoomId, UserId};
use thiserror::Error;

/// What applying one command produced: its outcome and the events for others, in order
/// (the `result` event is added when the command is recorded).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub request_id: RequestId,
    pub outcome: Outcome,
    pub events: Vec<EventEnvelope>,
}

impl Applied {
    pub fn new(request_id: RequestId, outcome: Outcome) -> Self {
        Self {
            request_id,
            outcome,
            events: Vec::new(),
        }
    }

    /// Adds an event for `audience` (none when nobody is there to see it).
    pub fn emit(mut self, audience: Vec<UserId>, event: Event) -> Self {
        if !audience.is_empty() {
            self.events.push(EventEnvelope {
                id: None,
                request_id: Some(self.request_id),
                audience,
                room: None,
                author: author_of(&event),
                event,
            });
        }
        self
    }

    /// Adds an event for the members of `room` (gateways know them: see
    /// `parley_schema::event`), whatever their number.
    pub fn emit_to_room(mut self, room: RoomId, event: Event) -> Self {
        self.events.push(EventEnvelope {
            id: None,
            request_id: Some(self.request_id),
            audience: Vec::new(),
            room: Some(room),
            author: author_of(&event),
            event,
        });
        self
    }
}

/// A message event's author, named in its envelope so that gateways can flag it for
/// readers who block them without decoding the message.
pub(crate) fn author_of(event: &Event) -> Option<UserId> {
    match event {
        Event::Message(m) | Event::MessageUpdated(m) => m.author.as_ref().map(|a| a.id),
        _ => None,
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

pub type ApplyResult = Result<Applied, ApplyError>;

pub(crate) fn reject(code: ErrorCode, message: impl Into<String>) -> ApplyError {
    ApplyError::Rejected(ErrorBody::new(code, message))
}

/// The active user named `username` (any case), or `not_found`.
fn named_user(conn: &mut PgConnection, username: &str) -> Result<UserRow, ApplyError> {
    users::find_by_key(conn, &username_key(username))?
        .ok_or_else(|| reject(ErrorCode::NotFound, format!("no user named {username:?}")))
}

/// Who gets the `result` event of a command.
pub fn result_audience(env: &CommandEnvelope) -> Option<UserId> {
    match (&env.command, env.actor) {
        (Command::Register { user_id, .. }, _) => Some(*user_id),
        (_, actor) => actor,
    }
}

/// Blocks and invitations.
fn between_people(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    command: &Command,
) -> ApplyResult {
    match command {
        Command::Block { .. } | Command::Unblock { .. } => blocks::apply(conn, rid, actor, command),
        _ => invitations::apply(conn, rid, actor, command),
    }
}

/// Applies one command. Call inside a (nested) transaction.
pub fn apply(conn: &mut PgConnection, env: &CommandEnvelope) -> ApplyResult {
    let rid = env.request_id;
    let actor = || {
        env.actor
            .ok_or_else(|| reject(ErrorCode::Unauthenticated, "command has no acting user"))
    };
    match &env.command {
        Command::Register { .. } => accounts::register(conn, env),
        Command::SendMessage { .. } => sends::apply_one(conn, env),
        Command::OpenSession { .. }
        | Command::CloseSession { .. }
        | Command::CloseOtherSessions { .. }
        | Command::ChangePassword { .. }
        | Command::TouchSession { .. } => sessions::apply(conn, env, actor()?),
        Command::CreateRoom {
            room_id,
            name,
            visibility,
            members,
        } => rooms::create(conn, rid, actor()?, *room_id, name, *visibility, members),
        Command::UpdateProfile {
            display_name,
            status_message,
        } => accounts::update_profile(
            conn,
            rid,
            actor()?,
            display_name.as_deref(),
            status_message.as_deref(),
        ),
        Command::DeleteAccount => accounts::delete_account(conn, rid, actor()?),
        Command::UpdateSettings {
            share_read_receipts,
            share_presence,
        } => accounts::update_settings(conn, rid, actor()?, *share_read_receipts, *share_presence),
        Command::AddFriend { username } => friends::add(conn, rid, actor()?, username),
        Command::RemoveFriend { username } => friends::remove(conn, rid, actor()?, username),
        Command::Block { .. }
        | Command::Unblock { .. }
        | Command::AcceptInvitation { .. }
        | Command::DeclineInvitation { .. } => between_people(conn, rid, actor()?, &env.command),
        Command::AddMember { room_id, username } => {
            rooms::add_member(conn, rid, actor()?, *room_id, username)
        }
        Command::RemoveMember { room_id, username } => {
            rooms::remove_member(conn, rid, actor()?, *room_id, username)
        }
        Command::DeleteRoom { room_id } => rooms::delete(conn, rid, actor()?, *room_id),
        Command::EditMessage { .. }
        | Command::DeleteMessage { .. }
        | Command::SetReaction { .. } => edits::apply(conn, rid, actor()?, &env.command),
        Command::SetRoomSettings { room_id, muted } => {
            messages::set_room_settings(conn, rid, actor()?, *room_id, *muted)
        }
        Command::MarkRead { room_id, seq } => {
            messages::mark_read(conn, rid, actor()?, *room_id, *seq)
        }
        Command::SaveMessage { message_id } => messages::save(conn, rid, actor()?, *message_id),
        Command::UnsaveMessage { message_id } => messages::unsave(conn, rid, actor()?, *message_id),
        Command::Moderate { .. } => moderation::apply(conn, rid, &env.command),
    }
}
