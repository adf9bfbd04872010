//! The hub's ephemeral side: typing and presence, routed to this gateway's streams with
//! the rooms' members and the social graph the hub keeps. No id, never replayed: a stream
//! that missed one learns the state again over HTTP (presence is in the member and friend
//! lists).
//!
//! Nobody hears a signal from someone they block or who blocks them; a user who hides
//! their presence looks offline to everyone.

use super::{Hub, Inner};
use crate::presence::table::Entry;
use bytestring::ByteString;
use parley_schema::social::{ClientPresence, Presence, PresenceEvent};
use parley_schema::{RoomId, SessionId, UserId};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Rooms larger than this do not carry their members' presence changes to each other
/// (the member list still shows presence when it is read): a room of 10,000 would
/// otherwise turn one reconnect into 10,000 events, and a reconnect storm into 10^8.
pub const PRESENCE_ROOM_CAP: usize = 1000;

impl Hub {
    /// Whether `user` is a member of `room`, as this gateway knows it now.
    pub fn is_member(&self, room: RoomId, user: UserId) -> bool {
        self.lock().rooms.is_member(room, user)
    }

    /// Delivers a `typing` signal to the other members of `room` here, but those apart
    /// from `typist`; `data` encodes it, only when someone here is to get it. Returns the
    /// streams it reached.
    pub fn typing(&self, room: RoomId, typist: UserId, data: impl FnOnce() -> ByteString) -> u64 {
        let inner = self.lock();
        let members = inner.rooms.members(room);
        if !members.contains(&typist) {
            return 0;
        }
        let to: Vec<UserId> = (members.iter().copied())
            .filter(|m| *m != typist && inner.registry.has(*m) && !inner.social.apart(*m, typist))
            .collect();
        if to.is_empty() {
            // Most gateways hold none of the room's members: nothing to encode.
            return 0;
        }
        let data = data();
        to.iter()
            .map(|m| inner.registry.offer(*m, "typing", &data))
            .sum()
    }

    /// What a gateway (this one included) announced about its users; tells the changes.
    pub fn announced(&self, gateway: &str, entries: &[Entry], full: bool) {
        let mut inner = self.lock();
        let changed = inner
            .presence
            .announce(gateway, entries, full, Instant::now());
        tell_all(&inner, &changed, false);
    }

    /// A gateway said it stops: its users are no longer there.
    pub fn forget_gateway(&self, gateway: &str) {
        let mut inner = self.lock();
        let changed = inner.presence.forget(gateway);
        tell_all(&inner, &changed, false);
    }

    /// Forgets the gateways silent for longer than `ttl`.
    pub fn expire_presence(&self, ttl: Duration) {
        let mut inner = self.lock();
        let changed = inner.presence.expire(Instant::now(), ttl);
        tell_all(&inner, &changed, false);
    }

    /// The client of `session` says how present it is; applies only where the session
    /// has a stream open.
    pub fn set_presence(&self, user: UserId, session: SessionId, state: ClientPresence) {
        let mut inner = self.lock();
        if inner.registry.sessions(user).contains(&session) {
            inner.local.set(user, session, state);
        }
    }

    /// This gateway's users whose state may have changed since the last call, with their
    /// state here.
    pub fn local_changes(&self) -> Vec<Entry> {
        let mut inner = self.lock();
        let dirty = inner.local.take_dirty();
        dirty
            .into_iter()
            .map(|u| local_entry(&mut inner, u))
            .collect()
    }

    /// Every user with a stream here, with their state (a heartbeat).
    pub fn local_all(&self) -> Vec<Entry> {
        let mut inner = self.lock();
        let users: Vec<UserId> = inner.registry.users().copied().collect();
        users
            .into_iter()
            .map(|u| local_entry(&mut inner, u))
            .collect()
    }

    /// `subject`'s presence as `viewer` may see it.
    pub fn presence_for(&self, viewer: UserId, subject: UserId) -> Presence {
        visible(&self.lock(), viewer, subject)
    }
}

fn local_entry(inner: &mut Inner, user: UserId) -> Entry {
    let state = inner.local.state(&inner.registry.sessions(user));
    let name = inner.local.name(user);
    if state == Presence::Offline {
        inner.local.forget(user);
    }
    Entry {
        id: user,
        name,
        state,
    }
}

fn visible(inner: &Inner, viewer: UserId, subject: UserId) -> Presence {
    if viewer != subject && (inner.social.is_hidden(subject) || inner.social.apart(viewer, subject))
    {
        return Presence::Offline;
    }
    inner.presence.state(subject)
}

/// Tells `subjects`' presence again to everyone here who may see it: their audience moved
/// (a friend added, a block, a room joined, a setting changed).
pub(super) fn retell(inner: &mut Inner, subjects: &[UserId]) {
    tell_all(inner, subjects, true);
}

fn tell_all(inner: &Inner, subjects: &[UserId], retell: bool) {
    for subject in subjects {
        tell(inner, *subject, retell);
    }
}

/// Sends `subject`'s presence to the viewers here: their friends' followers and room-mates
/// (in rooms up to [`PRESENCE_ROOM_CAP`]). A change skips those who always see them
/// offline; a retelling reaches them too, so a new block or a hidden presence shows.
fn tell(inner: &Inner, subject: UserId, retell: bool) {
    let mut viewers: HashSet<UserId> = inner.social.followers(subject).copied().collect();
    for room in inner.rooms.rooms_of(subject) {
        let members = inner.rooms.members(room);
        if members.len() <= PRESENCE_ROOM_CAP {
            viewers.extend(members.iter().copied());
        }
    }
    viewers.remove(&subject);
    let username = inner.presence.name(subject).unwrap_or_default().to_owned();
    let data = |state| {
        let event = PresenceEvent {
            user_id: subject,
            username: username.clone(),
            state,
        };
        ByteString::from(serde_json::to_string(&event).unwrap_or_default())
    };
    let (real, offline) = (data(inner.presence.state(subject)), data(Presence::Offline));
    for viewer in viewers.into_iter().filter(|v| inner.registry.has(*v)) {
        let shown = visible(inner, viewer, subject);
        if shown == Presence::Offline && !retell && inner.presence.state(subject) != shown {
            continue;
        }
        let data = if shown == Presence::Offline {
            &offline
        } else {
            &real
        };
        inner.registry.offer(viewer, "presence", data);
    }
}
