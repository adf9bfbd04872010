//! The JSON shapes of API.md's resources: users, rooms, messages, read markers.

use crate::ids::{MessageId, RoomId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr};

/// A user as `GET /api/me` and public profiles show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub status_message: String,
    pub created_at: DateTime<Utc>,
    /// Whether they are online, as the asker may see it: only in friend lists, a room's
    /// members and public profiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence: Option<crate::social::Presence>,
}

/// The author of a message; `null` in a message once the account is deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Author {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Visibility {
    Public,
    Private,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Room {
    pub id: RoomId,
    pub name: String,
    pub visibility: Visibility,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub owner_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub member_count: i64,
}

/// `GET /api/rooms/{id}`: the room with its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomDetail {
    #[serde(flatten)]
    pub room: Room,
    pub members: Vec<User>,
}

/// One entry of `GET /api/rooms`: a room of mine with my read state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomSummary {
    #[serde(flatten)]
    pub room: Room,
    pub unread_count: i64,
    pub last_read_seq: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_message: Option<Message>,
    /// Unread messages that mention me (counted even when the room is muted).
    #[serde(default)]
    pub mention_count: i64,
    /// I muted the room: the client shows no unread badge for it.
    #[serde(default)]
    pub muted: bool,
}

/// My settings of one room (`PUT /api/rooms/{room_id}/settings`, the `room_settings` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomSettings {
    pub room_id: RoomId,
    pub muted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: MessageId,
    pub room_id: RoomId,
    pub seq: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub author: Option<Author>,
    pub body: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub client_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the author last edited it (`null`: never).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub edited_at: Option<DateTime<Utc>>,
    /// A deleted message keeps its place (`seq`) with an empty `body`.
    #[serde(default)]
    pub deleted: bool,
    /// The message this one replies to, quoted.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub reply_to: Option<Box<ReplyPreview>>,
    /// The members its `@nickname`s named when it was sent.
    #[serde(default)]
    pub mentions: Vec<UserId>,
    /// Its reactions, most used first.
    #[serde(default)]
    pub reactions: Vec<Reaction>,
    /// Present, and true, when the reader blocks its author.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_blocked: bool,
}

/// The message a reply quotes: its author and the first 140 characters of its text, or
/// `deleted` (and no text) once it is deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyPreview {
    pub id: MessageId,
    pub seq: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub author: Option<Author>,
    pub excerpt: String,
    pub deleted: bool,
}

/// One emoji's reactions on a message. `me` says whether I am among them: in history it
/// is the reader's; events are shared by a room, so there it is `false` (the `reaction`
/// event names who reacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reaction {
    pub emoji: String,
    pub count: i64,
    pub me: bool,
}

/// A read marker, as `PUT /api/rooms/{id}/read` returns it and the `read` event carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadMarker {
    pub room_id: RoomId,
    pub last_read_seq: i64,
    pub unread_count: i64,
}

/// `POST /api/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionCreated {
    pub token: String,
    pub user: User,
}

/// My settings (`GET` and `PUT /api/me/settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settings {
    /// Whether I appear in the "seen by" lists of messages (default true).
    pub share_read_receipts: bool,
    /// Whether others see my presence (default true; off, I always look offline).
    #[serde(default = "crate::social::yes")]
    pub share_presence: bool,
}

/// `GET /api/rooms/{room_id}/messages/{message_id}/seen`: who has read it, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeenList {
    pub users: Vec<Author>,
}

/// One of my sessions (a signed-in device), in `GET /api/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub id: crate::SessionId,
    pub created_at: DateTime<Utc>,
    /// When it was last used, to within a few minutes.
    pub last_seen_at: DateTime<Utc>,
    /// The `User-Agent` it signed in with (may be empty).
    pub user_agent: String,
    /// Whether this is the session of the request that asked.
    pub current: bool,
}

/// `GET /api/sessions`: the most recently used first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionList {
    pub sessions: Vec<SessionInfo>,
}

/// The `202 Accepted` body of a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accepted {
    pub request_id: crate::RequestId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomList {
    pub rooms: Vec<RoomSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicRoomList {
    pub rooms: Vec<Room>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageList {
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FriendList {
    pub friends: Vec<User>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedList {
    pub saved: Vec<Message>,
}

/// `GET /api/sync`: everything a client starts with, and the stream cursor to continue
/// from. The cursor is taken before the reads: an event that happened during them comes
/// again on the stream, and the client drops what it already has by id or `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncState {
    /// Open `GET /api/events?cursor=` (or send it as `Last-Event-ID`) with this.
    pub cursor: String,
    pub me: User,
    /// As `GET /api/rooms`: with unread and mention counts and read markers.
    pub rooms: Vec<RoomSummary>,
    pub friends: Vec<User>,
    pub invitations: Vec<crate::social::Invitation>,
    /// The latest messages of the most recently active rooms, most recent room first.
    pub messages: Vec<RoomMessages>,
}

/// The latest messages of one room, ascending by `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomMessages {
    pub room_id: RoomId,
    pub messages: Vec<Message>,
    /// Whether older messages exist (page with `before`).
    pub has_more: bool,
}

/// One result of `GET /api/search`: the message as history shows it, and a snippet of it
/// with the matches marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub message: Message,
    pub snippet: crate::search::Snippet,
}

/// `GET /api/search`: the best matches first; `next_before` asks for the page after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub results: Vec<SearchHit>,
    /// Pass as `before` for the next page; `null` when there is none.
    pub next_before: Option<String>,
}
