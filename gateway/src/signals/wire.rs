//! The records of the ephemeral topic.

use crate::presence::table::Entry;
use chrono::{DateTime, Utc};
use parley_schema::model::Author;
use parley_schema::social::ClientPresence;
use parley_schema::{RoomId, SessionId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// `user` types in `room_id` until `until` (now or past: stopped).
    Typing {
        room_id: RoomId,
        user: Author,
        until: DateTime<Utc>,
    },
    /// A gateway's users' states: those that changed, or (`full`, the heartbeat) all.
    Presence {
        gateway: String,
        users: Vec<Entry>,
        full: bool,
    },
    /// A client said how present it is; the gateway holding the session's streams
    /// applies it.
    Status {
        user: UserId,
        session: SessionId,
        state: ClientPresence,
    },
    /// A gateway started: the others announce all their users at once.
    Hello { gateway: String },
    /// A gateway stops: its users are no longer there.
    Bye { gateway: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_round_trip_with_their_kind() {
        let signal = Signal::Hello {
            gateway: "g1".into(),
        };
        let json = serde_json::to_string(&signal).unwrap_or_default();
        assert_eq!(json, r#"{"kind":"hello","gateway":"g1"}"#);
        let back: Option<Signal> = serde_json::from_str(&json).ok();
        assert_eq!(back, Some(signal));
    }
}
