//! The stream registry: this gateway's open streams, by user, each a bounded channel.
//!
//! Invariants: a slot id is never reused; a user with no open stream has no entry; `open`
//! counts the slots; once closed (shutdown) the registry takes no new stream; past
//! `max_streams` a new stream is refused (never another evicted for it); a session holds at most
//! `per_session` streams and a user at most `per_user`: a new stream is never refused,
//! the oldest one goes instead, told so by a `stream_closed` event. Delivery never
//! blocks: a stream whose buffer is full is dropped, and its client resumes from the last
//! id it saw. The hub holds this behind its one lock, together with the replay buffer.

use super::replay::Routed;
use actix_web_lab::sse;
use parley_schema::event::StreamClosedEvent;
use parley_schema::{SessionId, UserId};
use std::collections::HashMap;
use tokio::sync::mpsc;

struct Slot {
    id: u64,
    session: SessionId,
    tx: mpsc::Sender<sse::Event>,
}

/// What delivering one event did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Streams the event was queued on.
    pub delivered: u64,
    /// Streams closed because their buffer was full.
    pub closed_slow: u64,
}

/// How many streams a session and a user may hold at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamCaps {
    pub per_session: usize,
    pub per_user: usize,
    /// Streams of this gateway in all.
    pub max_streams: usize,
}

impl Default for StreamCaps {
    fn default() -> Self {
        Self {
            per_session: 10,
            per_user: 30,
            max_streams: 100_000,
        }
    }
}

/// Why a stream was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotOpened {
    /// Shutting down.
    Closed,
    /// At `max_streams`.
    Full,
}

#[derive(Default)]
pub struct Registry {
    streams: HashMap<UserId, Vec<Slot>>,
    /// Slots in `streams`.
    open: usize,
    next_slot: u64,
    closed: bool,
    caps: StreamCaps,
}

/// Ends `slot` for good: its last event says why (it is dropped by the caller).
fn evict(slot: &Slot, reason: &str) {
    let data = StreamClosedEvent {
        reason: reason.to_owned(),
    };
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());
    let _ = slot
        .tx
        .try_send(sse::Data::new(json).event("stream_closed").into());
    tracing::info!(slot = slot.id, reason, "stream evicted");
}

impl Registry {
    pub fn with_caps(caps: StreamCaps) -> Self {
        Self {
            caps,
            ..Self::default()
        }
    }

    /// Opens a stream of `cap` buffered events for `user`, evicting the oldest of the
    /// session's or the user's streams past their caps.
    pub fn open(
        &mut self,
        user: UserId,
        session: SessionId,
        cap: usize,
    ) -> Result<(u64, mpsc::Receiver<sse::Event>), NotOpened> {
        self.admits()?;
        self.open += 1;
        let (tx, rx) = mpsc::channel(cap.max(1));
        self.next_slot += 1;
        let id = self.next_slot;
        let caps = self.caps;
        let slots = self.streams.entry(user).or_default();
        slots.push(Slot { id, session, tx });
        // Slots are kept oldest first.
        while slots.iter().filter(|s| s.session == session).count() > caps.per_session.max(1) {
            if let Some(i) = slots.iter().position(|s| s.session == session) {
                evict(
                    &slots.remove(i),
                    "too many streams for this session; the oldest closed",
                );
                self.open -= 1;
            }
        }
        while slots.len() > caps.per_user.max(1) {
            evict(
                &slots.remove(0),
                "too many streams for this user; the oldest closed",
            );
            self.open -= 1;
        }
        Ok((id, rx))
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether a new stream would be opened now: not once closed, nor at `max_streams`.
    pub fn admits(&self) -> Result<(), NotOpened> {
        if self.closed {
            return Err(NotOpened::Closed);
        }
        if self.open >= self.caps.max_streams.max(1) {
            return Err(NotOpened::Full);
        }
        Ok(())
    }

    /// Streams open.
    pub fn len(&self) -> usize {
        self.open
    }

    pub fn is_empty(&self) -> bool {
        self.open == 0
    }

    /// Takes no new stream from now on (a draining gateway); open ones stay.
    pub fn stop_accepting(&mut self) {
        self.closed = true;
    }

    /// Every open stream, as `(user, slot)`.
    pub fn slots(&self) -> Vec<(UserId, u64)> {
        let all = self.streams.iter();
        all.flat_map(|(user, slots)| slots.iter().map(|s| (*user, s.id)))
            .collect()
    }

    /// Ends one stream, its last event `last`; whether it was still open.
    pub fn close_with(&mut self, user: UserId, slot: u64, last: sse::Event) -> bool {
        let Some(found) = self
            .streams
            .get(&user)
            .and_then(|s| s.iter().find(|s| s.id == slot))
        else {
            return false;
        };
        // A full buffer misses the event: its client reconnects by `retry:` all the same.
        let _ = found.tx.try_send(last);
        self.retain(user, |s| s.id != slot);
        true
    }

    /// Forgets the stream `slot` of `user`; returns its session if it was still open.
    pub fn detach(&mut self, user: UserId, slot: u64) -> Option<SessionId> {
        let session = self
            .streams
            .get(&user)?
            .iter()
            .find(|s| s.id == slot)?
            .session;
        self.retain(user, |s| s.id != slot);
        Some(session)
    }

    /// Queues `routed` on every stream of its audience; `flagged` says who reads it as
    /// `from_blocked`.
    pub fn deliver(&mut self, routed: &Routed, flagged: impl Fn(UserId) -> bool) -> Delivery {
        let mut done = Delivery::default();
        for user in routed.audience.iter() {
            let flag = flagged(*user);
            self.retain(*user, |slot| {
                match slot.tx.try_send(routed.to_sse_for(routed.id.clone(), flag)) {
                    Ok(()) => {
                        done.delivered += 1;
                        true
                    }
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        done.closed_slow += 1;
                        tracing::info!(user = %user, "stream too far behind; closed");
                        false
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                }
            });
        }
        done
    }

    /// Whether `user` has a stream open here.
    pub fn has(&self, user: UserId) -> bool {
        self.streams.contains_key(&user)
    }

    /// The users with a stream open here.
    pub fn users(&self) -> impl Iterator<Item = &UserId> + '_ {
        self.streams.keys()
    }

    /// The sessions of `user`'s open streams.
    pub fn sessions(&self, user: UserId) -> Vec<SessionId> {
        let slots = self.streams.get(&user).into_iter().flatten();
        slots.map(|s| s.session).collect()
    }

    /// Offers an ephemeral event (no id, never replayed) to `user`'s streams: a full
    /// stream misses it rather than being closed for it. Returns the streams it reached.
    pub fn offer(&self, user: UserId, name: &'static str, data: &bytestring::ByteString) -> u64 {
        let slots = self.streams.get(&user).into_iter().flatten();
        let sent = slots.filter(|slot| {
            let event = sse::Data::new(data.clone()).event(name).into();
            slot.tx.try_send(event).is_ok()
        });
        sent.count() as u64
    }

    /// Ends the streams of `users`: those of `session` only, or all of them when `None`.
    pub fn close_session(&mut self, users: &[UserId], session: Option<SessionId>) {
        for user in users {
            self.retain(*user, |s| session.is_some_and(|sid| s.session != sid));
        }
    }

    /// Ends every stream and takes no new one (shutdown).
    pub fn close_all(&mut self) {
        self.closed = true;
        self.streams.clear();
        self.open = 0;
    }

    fn retain(&mut self, user: UserId, keep: impl FnMut(&Slot) -> bool) {
        if let Some(slots) = self.streams.get_mut(&user) {
            let before = slots.len();
            slots.retain(keep);
            self.open -= before - slots.len();
            if slots.is_empty() {
                self.streams.remove(&user);
            }
        }
    }
}
