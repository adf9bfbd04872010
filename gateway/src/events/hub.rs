//! The hub: the stream registry and the replay buffer behind one lock, so that attaching a
//! stream (replay, then live) and routing an event never interleave: a stream gets every
//! event after its cursor exactly once.
//!
//! Events already routed (the same partition offset read again, or the same event id
//! published twice by a worker that retried a batch) are dropped.
//!
//! Each event is decoded once; its JSON `data` and its cursor `id` are shared by every
//! stream it goes to (reference-counted, never re-encoded). A stream whose bounded buffer
//! is full is closed; its client resumes from the last id it saw.

use super::registry::{NotOpened, Registry, StreamCaps};
use super::replay::{Admit, Audience, Replay, Routed, Start};
use super::rooms::Rooms;
use super::social::{Seed, Social};
use crate::metrics::Metrics;
use crate::presence::local::Local;
use crate::presence::Table;
use actix_web_lab::sse;
use bytestring::ByteString;
use parley_schema::event::RawEventEnvelope;
use parley_schema::{RoomId, SessionId, UserId};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::futures::Notified;
use tokio::sync::{mpsc, Notify};

struct Inner {
    replay: Replay,
    registry: Registry,
    rooms: Rooms,
    social: Social,
    /// This gateway's users' presence, first-hand.
    local: Local,
    /// Every gateway's users' presence, as announced.
    presence: Table,
}

pub struct Hub {
    inner: Mutex<Inner>,
    stream_cap: usize,
    metrics: Arc<Metrics>,
    caught_up: AtomicBool,
    /// Woken when the position moves or the consumer catches up: what a stream waiting
    /// to attach waits for.
    progress: Notify,
}

/// A stream registered with the hub: what it starts with, then live events from `rx`.
pub struct Attached {
    pub slot: u64,
    pub rx: mpsc::Receiver<sse::Event>,
    pub start: Start,
}

/// Why a stream was not attached.
#[derive(Debug)]
pub enum Refused {
    /// The cursor is ahead of this gateway: retry after [`Hub::progress`].
    Ahead,
    /// The hub is shutting down.
    Closed,
    /// The gateway holds `max_streams` already.
    Full,
}

impl From<NotOpened> for Refused {
    fn from(not: NotOpened) -> Self {
        match not {
            NotOpened::Closed => Refused::Closed,
            NotOpened::Full => Refused::Full,
        }
    }
}

impl Hub {
    pub fn new(
        partitions: usize,
        replay_cap: usize,
        stream_cap: usize,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            inner: Mutex::new(Inner {
                replay: Replay::new(partitions, replay_cap),
                registry: Registry::default(),
                rooms: Rooms::default(),
                social: Social::default(),
                local: Local::default(),
                presence: Table::default(),
            }),
            stream_cap: stream_cap.max(1),
            metrics,
            caught_up: AtomicBool::new(false),
            progress: Notify::new(),
        }
    }

    /// The hub with the given caps on streams per session and per user.
    pub fn with_stream_caps(self, caps: StreamCaps) -> Self {
        self.lock().registry = Registry::with_caps(caps);
        self
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters more than losing the gateway, so recover the guard.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn partitions(&self) -> usize {
        self.lock().replay.partitions()
    }

    /// Where consumption starts (before any event is routed), every room's members as
    /// Postgres has them (`(room, member)` pairs), and who may see whom.
    pub fn start_at(&self, offsets: &[i64], members: Vec<(RoomId, UserId)>, social: Seed) {
        let mut inner = self.lock();
        inner.replay.start_at(offsets);
        inner.rooms.seed(members);
        inner.social.seed(social);
    }

    pub fn set_caught_up(&self) {
        self.caught_up.store(true, Ordering::Release);
        self.progress.notify_waiters();
    }

    pub fn is_caught_up(&self) -> bool {
        self.caught_up.load(Ordering::Acquire)
    }

    /// Completes at the next move of the position or catch-up. Take it before checking,
    /// so that a move between the check and the wait is not missed.
    pub fn progress(&self) -> Notified<'_> {
        self.progress.notified()
    }

    /// Moves past a record that is not an event (undecodable).
    pub fn skip(&self, partition: usize, offset: i64) {
        self.lock().replay.skip(partition, offset);
        self.progress.notify_waiters();
    }

    /// Routes one event to the streams of its audience and keeps it for replay.
    pub fn route(&self, partition: usize, offset: i64, env: RawEventEnvelope) {
        self.route_locked(partition, offset, env);
        self.progress.notify_waiters();
    }

    fn route_locked(&self, partition: usize, offset: i64, env: RawEventEnvelope) {
        let mut inner = self.lock();
        match inner.replay.admit(partition, offset, env.id.as_deref()) {
            Admit::New => {}
            Admit::Reread => return,
            Admit::Duplicate => {
                self.metrics.events_deduplicated.inc();
                return;
            }
        }
        let members = inner.rooms.follow(&env);
        let moved = inner.social.follow(&env);
        let name = env.event.event;
        if name.is_internal() {
            let session = closed_session(&env);
            inner.registry.close_session(&env.audience, session);
            for user in &env.audience {
                inner.local.touched(*user, None);
            }
            return;
        }
        let routed = Arc::new(Routed {
            offset,
            name,
            audience: Audience {
                users: env.audience,
                room: members,
            },
            data: ByteString::from(env.event.data.get().to_owned()),
            id: ByteString::from(inner.replay.cursor().encode()),
            author: env.author,
        });
        let Inner {
            registry, social, ..
        } = &mut *inner;
        let flagged = |reader| routed.author.is_some_and(|a| social.blocks(reader, a));
        let delivery = registry.deliver(&routed, flagged);
        self.metrics
            .streams_closed_slow
            .inc_by(delivery.closed_slow);
        self.metrics.events_delivered.inc_by(delivery.delivered);
        inner.replay.keep(partition, routed);
        if !moved.users.is_empty() {
            // Someone joined or left a room, or a friendship, block or setting changed:
            // who sees whose presence moved.
            signals::retell(&mut inner, &moved.users);
        }
    }

    /// Registers a stream for `user`, replaying what it missed after `cursor`.
    pub fn attach(
        &self,
        user: UserId,
        session: SessionId,
        cursor: Option<&str>,
    ) -> Result<Attached, Refused> {
        self.attach_as(user, "", session, cursor)
    }

    /// [`Hub::attach`], knowing the user's name (for presence announcements).
    pub fn attach_as(
        &self,
        user: UserId,
        name: &str,
        session: SessionId,
        cursor: Option<&str>,
    ) -> Result<Attached, Refused> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        // Refused before the replay is gathered, not after: a full or stopping gateway
        // spends nothing on the streams it turns away.
        inner.registry.admits()?;
        let social = &inner.social;
        let start = inner
            .replay
            .start(cursor, user, |author| social.blocks(user, author))
            .map_err(|_| Refused::Ahead)?;
        let (slot, rx) = (inner.registry).open(user, session, self.stream_cap)?;
        inner.local.touched(user, Some(name));
        self.metrics.streams_open.inc();
        Ok(Attached { slot, rx, start })
    }

    /// Forgets a stream whose client went away.
    pub fn detach(&self, user: UserId, slot: u64) {
        let mut inner = self.lock();
        if let Some(session) = inner.registry.detach(user, slot) {
            if !inner.registry.sessions(user).contains(&session) {
                inner.local.session_closed(session);
            }
        }
        inner.local.touched(user, None);
        self.metrics.streams_open.dec();
    }

    /// Ends every stream (shutdown): clients reconnect elsewhere and resume.
    pub fn close_all(&self) {
        self.lock().registry.close_all();
    }

    /// The position after every event routed so far, as a stream's cursor.
    pub fn cursor(&self) -> String {
        self.lock().replay.cursor().encode()
    }

    /// Whether new streams are taken (not stopping).
    pub fn is_accepting(&self) -> bool {
        !self.lock().registry.is_closed()
    }

    /// Takes no new stream, and lists the open ones (`(user, slot)`), to end one by one.
    pub fn start_draining(&self) -> Vec<(UserId, u64)> {
        let mut inner = self.lock();
        inner.registry.stop_accepting();
        inner.registry.slots()
    }

    /// Ends one stream with `last` as its last event; whether it was still open.
    pub fn close_with(&self, user: UserId, slot: u64, last: sse::Event) -> bool {
        self.lock().registry.close_with(user, slot, last)
    }
}

/// The session an internal event ends: `Some` for a closed session, `None` (every stream
/// of the audience) for a deleted account.
pub(crate) fn closed_session(env: &RawEventEnvelope) -> Option<SessionId> {
    #[derive(serde::Deserialize)]
    struct Target {
        session_id: Option<SessionId>,
    }
    let target: Option<Target> = serde_json::from_str(env.event.data.get()).ok();
    target.and_then(|t| t.session_id)
}

pub mod signals;

#[cfg(test)]
mod room_tests;
#[cfg(test)]
mod tests;
