//! Events: outcomes of commands, as the worker publishes them to `<prefix>.events`.
//!
//! Each record names its audience: the users who may see it, computed by the worker from
//! the database inside the transaction that applied the command, or, for a room's events
//! (messages, member changes, room updates and deletions), the room itself. A gateway
//! keeps every room's members (seeded from Postgres at start, then moved by the `room`
//! created, `member` and `room` deleted events) and routes to them without a database
//! look-up: a room's records stay the same size whatever the room's size. Gateways decode [`RawEventEnvelope`]:
//! the `data` stays raw JSON, written to every stream as it arrived, never re-encoded.

use crate::ids::{MessageId, RequestId, RoomId, SessionId, UserId};
use crate::model::{Message, ReadMarker, Room, RoomSettings, Settings, User};
use crate::outcome::Outcome;
use crate::social::{BlockEvent, InvitationEvent, PresenceEvent, TypingEvent};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use strum::{EnumDiscriminants, IntoStaticStr};

pub use crate::stream::{
    KeepaliveEvent, ReadyEvent, ReconnectEvent, ResetEvent, StreamClosedEvent,
};

/// The record value on the events topic, as the worker writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventEnvelope {
    /// `<request_id>/<n>`: the n-th event of a command. A command's events are replayed
    /// with the same ids, so a reader can drop an event it has already seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub request_id: Option<RequestId>,
    pub audience: Vec<UserId>,
    /// The event is for the members of this room, as of this event (in addition to
    /// `audience`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    /// A message's author (`message`, `message_updated`): gateways flag it `from_blocked`
    /// for the readers who block them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<UserId>,
    pub event: Event,
}

/// The same record as a gateway reads it: routing fields decoded, `data` left raw.
#[derive(Debug, Deserialize)]
pub struct RawEventEnvelope {
    #[serde(default)]
    pub id: Option<String>,
    pub request_id: Option<RequestId>,
    #[serde(default)]
    pub audience: Vec<UserId>,
    #[serde(default)]
    pub room: Option<RoomId>,
    #[serde(default)]
    pub author: Option<UserId>,
    pub event: RawEvent,
}

#[derive(Debug, Deserialize)]
pub struct RawEvent {
    pub event: EventName,
    pub data: Box<RawValue>,
}

/// Event names ([`Event`]'s variants, derived by strum). The internal ones steer gateways
/// and are never sent to a browser.
impl EventName {
    /// The SSE `event:` name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Internal events close streams; they are not forwarded.
    pub fn is_internal(self) -> bool {
        matches!(self, Self::SessionClosed | Self::AccountDeleted)
    }
}

/// An event as the worker writes it. Gateways read it as [`RawEvent`], and a `result`'s
/// data as [`ResultEvent`].
#[derive(Debug, Clone, PartialEq, Serialize, EnumDiscriminants)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
#[strum_discriminants(
    name(EventName),
    derive(Hash, Serialize, Deserialize, IntoStaticStr),
    serde(rename_all = "snake_case"),
    strum(serialize_all = "snake_case")
)]
pub enum Event {
    Message(Message),
    /// A stored message changed (edited, or deleted to a tombstone): the whole message.
    MessageUpdated(Message),
    /// Someone added or took back a reaction.
    Reaction(ReactionEvent),
    Room(RoomEvent),
    Member(MemberEvent),
    Read(ReadMarker),
    RoomSettings(RoomSettings),
    Friend(FriendEvent),
    Profile(User),
    /// My settings changed (to my own streams; gateways follow `share_presence`).
    Settings(Settings),
    /// An invitation of mine was made, accepted or declined (to the invitee only).
    Invitation(InvitationEvent),
    /// I blocked or unblocked someone (to my own streams; gateways follow it).
    Block(BlockEvent),
    /// Someone in a room of mine is typing. Ephemeral: gateways make it, never stored.
    Typing(TypingEvent),
    /// Someone's presence changed. Ephemeral: gateways make it, never stored.
    Presence(PresenceEvent),
    Result(Reply),
    SessionClosed {
        session_id: SessionId,
    },
    AccountDeleted {
        user_id: UserId,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RoomChange {
    Created,
    Updated,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomEvent {
    pub change: RoomChange,
    pub room: Room,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MemberChange {
    Joined,
    Left,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberEvent {
    pub change: MemberChange,
    pub room_id: RoomId,
    pub user: User,
}

/// A reaction added (`on`) or taken back, with the emoji's count on the message after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReactionEvent {
    pub room_id: RoomId,
    pub message_id: MessageId,
    pub emoji: String,
    pub user_id: UserId,
    pub on: bool,
    pub count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FriendChange {
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FriendEvent {
    pub change: FriendChange,
    pub user: User,
}

/// The outcome of one command as a gateway reads it: `body` is the resource on success,
/// the error object (`{code, message, field?}`) when `status >= 400`, and `null` for `204`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultEvent {
    pub request_id: RequestId,
    pub status: u16,
    pub body: serde_json::Value,
}

/// The same outcome as the worker writes it: typed, with the status that
/// [`Outcome::status`] maps it to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub request_id: RequestId,
    pub status: u16,
    pub body: Outcome,
}

impl Reply {
    pub fn new(request_id: RequestId, outcome: Outcome) -> Self {
        Self {
            request_id,
            status: outcome.status(),
            body: outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorBody, ErrorCode};

    #[test]
    fn a_gateway_reads_what_a_worker_writes_without_touching_data() {
        let request_id = RequestId::new();
        let err = ErrorBody::new(ErrorCode::NotFound, "no such room");
        let env = EventEnvelope {
            id: Some(format!("{request_id}/0")),
            request_id: Some(request_id),
            audience: vec![UserId::new()],
            room: None,
            author: None,
            event: Event::Result(Reply::new(request_id, Outcome::Refused(err.clone()))),
        };
        let json = serde_json::to_string(&env).unwrap_or_default();
        let raw: Result<RawEventEnvelope, _> = serde_json::from_str(&json);
        let raw = raw.map_err(|e| e.to_string());
        assert!(raw.is_ok(), "{raw:?}");
        if let Ok(raw) = raw {
            assert_eq!(raw.event.event, EventName::Result);
            assert_eq!(raw.audience, env.audience);
            assert_eq!(raw.id, env.id);
            let data: Option<ResultEvent> = serde_json::from_str(raw.event.data.get()).ok();
            let expected = ResultEvent {
                request_id,
                status: 404,
                body: serde_json::to_value(&err).unwrap_or_default(),
            };
            assert_eq!(data, Some(expected));
        }
    }

    #[test]
    fn event_names_are_the_snake_case_variants_on_the_wire_and_in_sse() {
        let name: Option<EventName> = serde_json::from_str("\"session_closed\"").ok();
        assert_eq!(name, Some(EventName::SessionClosed));
        assert_eq!(EventName::AccountDeleted.as_str(), "account_deleted");
        assert_eq!(
            EventName::from(&Event::Read(ReadMarker {
                room_id: RoomId::new(),
                last_read_seq: 1,
                unread_count: 0,
            })),
            EventName::Read
        );
    }

    #[test]
    fn internal_events_are_marked() {
        assert!(EventName::SessionClosed.is_internal());
        assert!(!EventName::Message.is_internal());
    }
}
