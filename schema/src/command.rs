//! Commands: every state change, as the gateway publishes it to `<prefix>.commands`.
//!
//! A command carries only validated, ready-to-store values: ids are chosen by the gateway
//! (so a retried command names the same row), passwords arrive as Argon2id hashes and
//! session tokens as SHA-256 hashes. Plaintext secrets never enter Kafka.

use crate::ids::{InvitationId, MessageId, RequestId, RoomId, SessionId, UserId};
use crate::model::Visibility;
use crate::moderation::Moderation;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::IntoStaticStr;

/// The record value on the commands topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandEnvelope {
    pub request_id: RequestId,
    /// The user acting; `None` only for registration.
    pub actor: Option<UserId>,
    /// The login session the command came through, if any.
    pub session_id: Option<SessionId>,
    /// The gateway that took the HTTP request.
    pub gateway_id: String,
    pub issued_at: DateTime<Utc>,
    /// Whether a command that succeeds needs its `result` event. A message send nobody
    /// waits for does not: its `message` event, which carries the sender's `client_id`,
    /// reaches the sender's streams and is its outcome. A refusal always gets one.
    /// Absent (a command from an older gateway): true.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub result_wanted: bool,
    pub command: Command,
}

fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_yes(b: &bool) -> bool {
    *b
}

impl CommandEnvelope {
    /// The Kafka key: the room for room commands (one room's commands are applied in order
    /// by one worker at a time), the user otherwise.
    pub fn key(&self) -> String {
        if let Some(room) = self.command.room_id() {
            return room.to_string();
        }
        match (&self.command, self.actor) {
            (Command::Register { user_id, .. }, _) => user_id.to_string(),
            (Command::Moderate { action, .. }, _) => action
                .user_id()
                .map_or_else(|| self.request_id.to_string(), |u| u.to_string()),
            (_, Some(actor)) => actor.to_string(),
            (_, None) => self.request_id.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, IntoStaticStr)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Command {
    Register {
        user_id: UserId,
        username: String,
        username_key: String,
        password_hash: String,
        display_name: String,
    },
    OpenSession {
        session_id: SessionId,
        /// Hex SHA-256 of the bearer token.
        token_hash: String,
        /// The client's `User-Agent`, cut to 256 characters, to tell devices apart.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        user_agent: String,
        /// The client's address as the gateway saw it (for the account's activity).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ip: Option<String>,
    },
    /// Ends one of the actor's sessions (logout, or revoking another device).
    CloseSession {
        session_id: SessionId,
    },
    /// Ends every session of the actor but `keep` ("log out everywhere else").
    CloseOtherSessions {
        keep: SessionId,
    },
    /// A new password hash; every session but `keep` ends.
    ChangePassword {
        password_hash: String,
        keep: SessionId,
    },
    /// The session was used at `at` (published at most every few minutes per session).
    TouchSession {
        session_id: SessionId,
        at: DateTime<Utc>,
    },
    UpdateProfile {
        display_name: Option<String>,
        status_message: Option<String>,
    },
    DeleteAccount,
    /// Changes my settings; `None` leaves one as it is.
    UpdateSettings {
        share_read_receipts: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        share_presence: Option<bool>,
    },
    AddFriend {
        username: String,
    },
    RemoveFriend {
        username: String,
    },
    /// Blocks someone (idempotent); they leave my friends.
    Block {
        username: String,
    },
    Unblock {
        username: String,
    },
    /// The invitee joins the room of their invitation (keyed by that room, like every
    /// change of its members).
    AcceptInvitation {
        room_id: RoomId,
        invitation_id: InvitationId,
    },
    /// The invitee turns it down; nobody else is told.
    DeclineInvitation {
        room_id: RoomId,
        invitation_id: InvitationId,
    },
    CreateRoom {
        room_id: RoomId,
        name: String,
        visibility: Visibility,
        members: Vec<String>,
    },
    AddMember {
        room_id: RoomId,
        username: String,
    },
    RemoveMember {
        room_id: RoomId,
        username: String,
    },
    DeleteRoom {
        room_id: RoomId,
    },
    SendMessage {
        room_id: RoomId,
        message_id: MessageId,
        body: String,
        client_id: Option<String>,
        /// A message of the same room this one replies to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<MessageId>,
    },
    /// Adds (`on`) or takes back the actor's reaction `emoji` (one emoji, in its
    /// canonical form) to a message.
    SetReaction {
        room_id: RoomId,
        message_id: MessageId,
        emoji: String,
        on: bool,
    },
    /// A new text for a message, by its author.
    EditMessage {
        room_id: RoomId,
        message_id: MessageId,
        body: String,
    },
    /// Deletes a message (its author or the room's owner), leaving a tombstone.
    DeleteMessage {
        room_id: RoomId,
        message_id: MessageId,
    },
    MarkRead {
        room_id: RoomId,
        seq: i64,
    },
    /// Mutes or unmutes a room for the actor.
    SetRoomSettings {
        room_id: RoomId,
        muted: bool,
    },
    SaveMessage {
        message_id: MessageId,
    },
    UnsaveMessage {
        message_id: MessageId,
    },
    /// An operator's action (`parley-admin`): no `actor`; `operator` names who ran it.
    Moderate {
        operator: String,
        reason: String,
        action: Moderation,
    },
}

impl Command {
    /// The room a command acts on, when it is a room command.
    pub fn room_id(&self) -> Option<RoomId> {
        match self {
            Self::CreateRoom { room_id, .. }
            | Self::AddMember { room_id, .. }
            | Self::RemoveMember { room_id, .. }
            | Self::DeleteRoom { room_id }
            | Self::SendMessage { room_id, .. }
            | Self::EditMessage { room_id, .. }
            | Self::DeleteMessage { room_id, .. }
            | Self::SetReaction { room_id, .. }
            | Self::MarkRead { room_id, .. }
            | Self::AcceptInvitation { room_id, .. }
            | Self::DeclineInvitation { room_id, .. }
            | Self::SetRoomSettings { room_id, .. } => Some(*room_id),
            Self::Moderate { action, .. } => action.room_id(),
            _ => None,
        }
    }

    /// A short name for logs and metrics: the `type` of the JSON form.
    pub fn kind(&self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(command: Command, actor: Option<UserId>) -> CommandEnvelope {
        CommandEnvelope {
            result_wanted: true,
            request_id: RequestId::new(),
            actor,
            session_id: None,
            gateway_id: "g1".into(),
            issued_at: Utc::now(),
            command,
        }
    }

    #[test]
    fn room_commands_are_keyed_by_room() {
        let room = RoomId::new();
        let env = envelope(
            Command::SendMessage {
                room_id: room,
                message_id: MessageId::new(),
                body: "hi".into(),
                client_id: None,
                reply_to: None,
            },
            Some(UserId::new()),
        );
        assert_eq!(env.key(), room.to_string());
    }

    #[test]
    fn user_commands_are_keyed_by_user() {
        let user = UserId::new();
        let env = envelope(Command::DeleteAccount, Some(user));
        assert_eq!(env.key(), user.to_string());
        let reg = envelope(
            Command::Register {
                user_id: user,
                username: "a".into(),
                username_key: "a".into(),
                password_hash: "h".into(),
                display_name: "a".into(),
            },
            None,
        );
        assert_eq!(reg.key(), user.to_string());
    }

    #[test]
    fn commands_round_trip_through_json() {
        let env = envelope(
            Command::MarkRead {
                room_id: RoomId::new(),
                seq: 3,
            },
            Some(UserId::new()),
        );
        let json = serde_json::to_string(&env).unwrap_or_default();
        assert!(json.contains(r#""type":"mark_read""#));
        let back: Option<CommandEnvelope> = serde_json::from_str(&json).ok();
        assert_eq!(back, Some(env));
    }
}
