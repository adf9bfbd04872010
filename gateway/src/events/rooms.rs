//! Every room's members, as this gateway knows them at its position in the events topic:
//! the audience of the events that name their room instead of listing it (messages,
//! member changes, room updates and deletions).
//!
//! Seeded from Postgres at start; then moved by the events themselves: a `room` created
//! sets them (its audience lists the first members), a `member` event adds or removes one
//! user, a `room` deleted forgets the room. A room's events share its partition, in order,
//! so each is routed to the members as of that event. Sets are shared (`Arc`): an event
//! routed keeps the set it was routed to, for replay, and a change makes a new one.

use parley_schema::event::{EventName, MemberChange, RawEventEnvelope, RoomChange};
use parley_schema::{RoomId, UserId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub type Members = Arc<HashSet<UserId>>;

#[derive(Default)]
pub struct Rooms {
    members: HashMap<RoomId, Members>,
    /// The other way round: each user's rooms (for presence audiences).
    of_user: HashMap<UserId, HashSet<RoomId>>,
}

/// The fields of a `member` event's data that move membership.
#[derive(serde::Deserialize)]
struct MemberData {
    change: MemberChange,
    room_id: RoomId,
    user: Ref<UserId>,
}

/// The fields of a `room` event's data that move membership.
#[derive(serde::Deserialize)]
struct RoomData {
    change: RoomChange,
    room: Ref<RoomId>,
}

/// An object of which only the `id` matters.
#[derive(serde::Deserialize)]
struct Ref<T> {
    id: T,
}

impl Rooms {
    /// Starts from `(room, member)` pairs (every membership, read from Postgres).
    pub fn seed(&mut self, pairs: impl IntoIterator<Item = (RoomId, UserId)>) {
        let mut sets: HashMap<RoomId, HashSet<UserId>> = HashMap::new();
        self.of_user.clear();
        for (room, user) in pairs {
            sets.entry(room).or_default().insert(user);
            self.of_user.entry(user).or_default().insert(room);
        }
        self.members = sets.into_iter().map(|(r, s)| (r, Arc::new(s))).collect();
    }

    /// Whether `user` is a member of `room`.
    pub fn is_member(&self, room: RoomId, user: UserId) -> bool {
        self.members.get(&room).is_some_and(|m| m.contains(&user))
    }

    /// The rooms of `user`.
    pub fn rooms_of(&self, user: UserId) -> impl Iterator<Item = RoomId> + '_ {
        self.of_user.get(&user).into_iter().flatten().copied()
    }

    /// The members of `room` now (none for a room this gateway does not know).
    pub fn members(&self, room: RoomId) -> Members {
        self.members.get(&room).cloned().unwrap_or_default()
    }

    /// Follows a membership change, and returns the members the event itself goes to:
    /// those after the change, but for a deleted room those before it.
    pub fn follow(&mut self, env: &RawEventEnvelope) -> Option<Members> {
        let data = env.event.data.get();
        match env.event.event {
            EventName::Member => {
                if let Ok(m) = serde_json::from_str::<MemberData>(data) {
                    self.member(m.room_id, m.user.id, m.change);
                }
            }
            EventName::Room => match serde_json::from_str::<RoomData>(data) {
                Ok(RoomData {
                    change: RoomChange::Created,
                    room,
                }) => {
                    let set: HashSet<UserId> = env.audience.iter().copied().collect();
                    for user in &set {
                        self.of_user.entry(*user).or_default().insert(room.id);
                    }
                    self.members.insert(room.id, Arc::new(set));
                }
                Ok(RoomData {
                    change: RoomChange::Deleted,
                    room,
                }) => {
                    let gone = self.members.remove(&room.id);
                    for user in gone.iter().flat_map(|m| m.iter()) {
                        self.leave(user, room.id);
                    }
                    return gone;
                }
                _ => {}
            },
            _ => {}
        }
        env.room.map(|room| self.members(room))
    }

    fn member(&mut self, room: RoomId, user: UserId, change: MemberChange) {
        let set = Arc::make_mut(self.members.entry(room).or_default());
        match change {
            MemberChange::Joined => {
                set.insert(user);
                self.of_user.entry(user).or_default().insert(room);
            }
            MemberChange::Left | MemberChange::Removed => {
                set.remove(&user);
                self.leave(&user, room);
            }
        };
    }

    fn leave(&mut self, user: &UserId, room: RoomId) {
        if let Some(rooms) = self.of_user.get_mut(user) {
            rooms.remove(&room);
            if rooms.is_empty() {
                self.of_user.remove(user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        name: &str,
        data: &str,
        audience: &[UserId],
        room: Option<RoomId>,
    ) -> RawEventEnvelope {
        let audience = serde_json::to_string(audience).unwrap_or_default();
        let room = room
            .map(|r| format!(r#","room":"{r}""#))
            .unwrap_or_default();
        let json = format!(
            r#"{{"id":"x/0","request_id":null,"audience":{audience}{room},
                "event":{{"event":"{name}","data":{data}}}}}"#
        );
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    fn room_change(change: &str, room: RoomId, audience: &[UserId]) -> RawEventEnvelope {
        let data = format!(r#"{{"change":"{change}","room":{{"id":"{room}"}}}}"#);
        let by_reference = (change != "created").then_some(room);
        event("room", &data, audience, by_reference)
    }

    fn member(change: &str, room: RoomId, user: UserId) -> RawEventEnvelope {
        let data =
            format!(r#"{{"change":"{change}","room_id":"{room}","user":{{"id":"{user}"}}}}"#);
        event("member", &data, &[], Some(room))
    }

    #[test]
    fn members_follow_creation_joins_departures_and_deletion() {
        let (a, b) = (RoomId::new(), RoomId::new());
        let (ann, bob, cyd) = (UserId::new(), UserId::new(), UserId::new());
        let mut rooms = Rooms::default();
        rooms.seed([(a, ann), (a, bob)]);
        let before = rooms.members(a);

        let to = rooms.follow(&member("joined", a, cyd));
        assert_eq!(
            to.as_deref(),
            Some(&HashSet::from([ann, bob, cyd])),
            "the joiner hears it"
        );
        let to = rooms.follow(&member("left", a, ann));
        assert_eq!(to.as_deref(), Some(&HashSet::from([bob, cyd])));
        assert_eq!(before.len(), 2, "a set handed out before does not change");

        rooms.follow(&room_change("created", b, &[ann]));
        assert_eq!(*rooms.members(b), HashSet::from([ann]));
        let to = rooms.follow(&room_change("updated", b, &[]));
        assert_eq!(
            to.as_deref(),
            Some(&HashSet::from([ann])),
            "an update changes nobody"
        );
        let to = rooms.follow(&room_change("deleted", b, &[]));
        assert_eq!(
            to.as_deref(),
            Some(&HashSet::from([ann])),
            "the deletion reaches the members"
        );
        assert!(rooms.members(b).is_empty());
        assert_eq!(rooms.rooms_of(bob).collect::<Vec<_>>(), vec![a]);
        assert!(rooms.rooms_of(ann).next().is_none(), "left a, b deleted");
        assert!(rooms.is_member(a, cyd) && !rooms.is_member(a, ann));
        assert!(
            rooms.members(RoomId::new()).is_empty(),
            "unknown room: nobody"
        );
    }
}
