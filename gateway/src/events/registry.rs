//! The stream registry: this gateway's open streams, by user, each a bounded channel.
//!
//! Invariants: a slot id is never reused; a user with no open stream has no entry; once
//! closed (shutdown) the registry takes no new stream. Delivery never blocks: a stream
//! whose buffer is full is dropped, and its client resumes from the last id it saw. The
//! hub holds this behind its one lock, together with the replay buffer.

use super::replay::Routed;
use actix_web_lab::sse;
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

#[derive(Default)]
pub struct Registry {
    streams: HashMap<UserId, Vec<Slot>>,
    next_slot: u64,
    closed: bool,
}

impl Registry {
    /// Opens a stream of `cap` buffered events for `user`; `None` once closed.
    pub fn open(
        &mut self,
        user: UserId,
        session: SessionId,
        cap: usize,
    ) -> Option<(u64, mpsc::Receiver<sse::Event>)> {
        if self.closed {
            return None;
        }
        let (tx, rx) = mpsc::channel(cap.max(1));
        self.next_slot += 1;
        let id = self.next_slot;
        self.streams
            .entry(user)
            .or_default()
            .push(Slot { id, session, tx });
        Some((id, rx))
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Forgets the stream `slot` of `user`.
    pub fn detach(&mut self, user: UserId, slot: u64) {
        self.retain(user, |s| s.id != slot);
    }

    /// Queues `routed` on every stream of its audience.
    pub fn deliver(&mut self, routed: &Routed) -> Delivery {
        let mut done = Delivery::default();
        for user in routed.audience.iter() {
            self.retain(*user, |slot| {
                match slot.tx.try_send(routed.to_sse(routed.id.clone())) {
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
    }

    fn retain(&mut self, user: UserId, keep: impl FnMut(&Slot) -> bool) {
        if let Some(slots) = self.streams.get_mut(&user) {
            slots.retain(keep);
            if slots.is_empty() {
                self.streams.remove(&user);
            }
        }
    }
}
