//! The events that steer a stream rather than report a change: its first (`ready`), its
//! heartbeat (`keepalive`), a lost cursor (`reset`), and its last (`stream_closed`,
//! `reconnect`). Gateways write them; they never travel through Kafka.

use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// The first event of every stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadyEvent {
    pub user_id: UserId,
    /// Whether the stream continues from the cursor it was given (`false`: a fresh start).
    pub resumed: bool,
    /// Seconds between the stream's `keepalive` events: a client that hears nothing for
    /// twice this long should take the stream for dead and reconnect with its cursor.
    pub keepalive_secs: u64,
    /// The gateway serving the stream (an opaque id, for diagnostics).
    pub gateway: String,
}

/// Sent every `keepalive_secs` on every stream, so that proxies see traffic and clients
/// can tell a quiet stream from a dead one. No `id`: it moves no cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeepaliveEvent {}

/// Sent when the gateway is about to end the stream (it is shutting down): reconnect with
/// the last event id after `after_ms`, to any gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconnectEvent {
    pub reason: String,
    /// Milliseconds to wait before reconnecting: spread, so that a gateway's streams do
    /// not all come back at once.
    pub after_ms: u64,
}

/// Sent when a stream's cursor cannot be served: refetch over HTTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetEvent {
    pub reason: String,
}

/// Sent as a stream's last event when the server ends it for good (too many streams for
/// one session or user: the oldest goes). The client should not reconnect by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamClosedEvent {
    pub reason: String,
}
