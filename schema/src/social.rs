//! Between people: presence, typing, invitations and blocks (their JSON shapes and
//! events). Typing and presence are ephemeral: they travel on `<prefix>.ephemeral`
//! between gateways and are never stored.

use crate::ids::{InvitationId, RoomId, UserId};
use crate::model::{Author, User, Visibility};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// serde's default for settings that are on unless turned off.
pub fn yes() -> bool {
    true
}

/// Whether someone is online, as another user may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Presence {
    Online,
    Away,
    #[default]
    Offline,
}

/// What a client says about itself: `PUT /api/me/presence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ClientPresence {
    Online,
    Away,
}

/// `PUT /api/me/presence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresenceRequest {
    pub state: ClientPresence,
}

/// The `presence` event: someone I share a room with, or have as a friend, changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresenceEvent {
    pub user_id: UserId,
    pub username: String,
    pub state: Presence,
}

/// The `typing` event: `user` is typing in `room_id` until `until` (a time now or past:
/// they stopped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypingEvent {
    pub room_id: RoomId,
    pub user: Author,
    pub until: DateTime<Utc>,
}

/// The room an invitation is into, as the invitee may see it before joining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitedRoom {
    pub id: RoomId,
    pub name: String,
    pub visibility: Visibility,
}

/// A pending invitation into a room, addressed to me.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: InvitationId,
    pub room: InvitedRoom,
    pub inviter: Author,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/invitations`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationList {
    pub invitations: Vec<Invitation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InvitationChange {
    Created,
    Accepted,
    Declined,
}

/// The `invitation` event, to the invitee's streams only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationEvent {
    pub change: InvitationChange,
    pub invitation: Invitation,
}

/// `GET /api/blocks`: the people I block, most recent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockList {
    pub blocks: Vec<User>,
}

/// The `block` event, to the blocker's streams: `user` is now blocked, or no longer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockEvent {
    pub user: User,
    pub blocked: bool,
}

/// What adding someone to a room answers: the room (they joined), or the invitation
/// made instead (they do not have the adder as a friend; it has an `inviter`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MemberAdded {
    Room(crate::model::Room),
    Invitation(Invitation),
}
