//! Every room's members, as this gateway knows them at its position in the events topic:
//! the audience of a room's messages, which name their room instead of listing it.
//!
//! Seeded from Postgres at start; then each `room` event (created, updated, deleted), which
//! the worker sends to the room's members as they are after the change, replaces the set.
//! A room's `room` events and messages share its partition, in order, so a message is
//! routed to the members as of that message. Sets are shared (`Arc`): an event routed
//! keeps the set it was routed to, for replay, and a change makes a new one.

use parley_schema::event::{EventName, RawEventEnvelope};
use parley_schema::{RoomId, UserId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub type Members = Arc<HashSet<UserId>>;

#[derive(Default)]
pub struct Rooms {
    members: HashMap<RoomId, Members>,
}

impl Rooms {
    /// Starts from `(room, member)` pairs (every membership, read from Postgres).
    pub fn seed(&mut self, pairs: impl IntoIterator<Item = (RoomId, UserId)>) {
        let mut sets: HashMap<RoomId, HashSet<UserId>> = HashMap::new();
        for (room, user) in pairs {
            sets.entry(room).or_default().insert(user);
        }
        self.members = sets.into_iter().map(|(r, s)| (r, Arc::new(s))).collect();
    }

    /// The members of `room` now (none for a room this gateway does not know).
    pub fn members(&self, room: RoomId) -> Members {
        self.members.get(&room).cloned().unwrap_or_default()
    }

    /// Follows a `room` event: the members become its audience, or the room is gone.
    pub fn follow(&mut self, env: &RawEventEnvelope) {
        if env.event.event != EventName::Room {
            return;
        }
        #[derive(serde::Deserialize)]
        struct Change {
            change: parley_schema::event::RoomChange,
            room: RoomRef,
        }
        #[derive(serde::Deserialize)]
        struct RoomRef {
            id: RoomId,
        }
        let Ok(c) = serde_json::from_str::<Change>(env.event.data.get()) else {
            return;
        };
        match c.change {
            parley_schema::event::RoomChange::Deleted => {
                self.members.remove(&c.room.id);
            }
            _ => {
                let set = env.audience.iter().copied().collect();
                self.members.insert(c.room.id, Arc::new(set));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room_event(change: &str, room: RoomId, audience: &[UserId]) -> RawEventEnvelope {
        let audience = serde_json::to_string(audience).unwrap_or_default();
        let json = format!(
            r#"{{"id":"x/0","request_id":null,"audience":{audience},
                "event":{{"event":"room","data":{{"change":"{change}","room":{{"id":"{room}"}}}}}}}}"#
        );
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    #[test]
    fn room_events_replace_the_members_and_a_deletion_forgets_the_room() {
        let (a, b) = (RoomId::new(), RoomId::new());
        let (ann, bob, cyd) = (UserId::new(), UserId::new(), UserId::new());
        let mut rooms = Rooms::default();
        rooms.seed([(a, ann), (a, bob), (b, cyd)]);
        let before = rooms.members(a);
        assert_eq!(before.len(), 2);

        rooms.follow(&room_event("updated", a, &[ann, cyd]));
        assert_eq!(*rooms.members(a), HashSet::from([ann, cyd]));
        assert_eq!(before.len(), 2, "a set handed out before does not change");

        rooms.follow(&room_event("created", a, &[bob]));
        assert_eq!(*rooms.members(a), HashSet::from([bob]));
        rooms.follow(&room_event("deleted", b, &[cyd]));
        assert!(rooms.members(b).is_empty());
        assert!(
            rooms.members(RoomId::new()).is_empty(),
            "unknown room: nobody"
        );
    }
}
