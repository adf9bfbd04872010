//! The hub: this gateway's open streams, its position in the events topic, and the replay
//! buffer, all behind one lock so that attaching a stream (replay, then live) and routing
//! an event never interleave: a stream gets every event after its cursor exactly once.
//!
//! Events already routed (the same partition offset read again, or the same event id
//! published twice by a worker that retried a batch) are dropped.
//!
//! Each event is decoded once; its JSON `data` and its cursor `id` are shared by every
//! stream it goes to (reference-counted, never re-encoded). A stream whose bounded buffer
//! is full is closed; its client resumes from the last id it saw.

use super::cursor::Cursor;
use crate::metrics::Metrics;
use actix_web_lab::sse;
use bytestring::ByteString;
use parley_schema::event::{EventName, RawEventEnvelope};
use parley_schema::{SessionId, UserId};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;

/// One event as routed: decoded once, shared by every stream and the replay buffer.
#[derive(Debug)]
pub struct Routed {
    pub offset: i64,
    pub name: EventName,
    pub audience: Vec<UserId>,
    pub data: ByteString,
    /// The cursor after this event, from this gateway's point of view.
    pub id: ByteString,
}

impl Routed {
    fn to_sse(&self, id: ByteString) -> sse::Event {
        sse::Data::new(self.data.clone())
            .event(self.name.as_str())
            .id(id)
            .into()
    }
}

struct Slot {
    id: u64,
    session: SessionId,
    tx: mpsc::Sender<sse::Event>,
}

/// The ids of the last events routed from one partition, to drop replays.
#[derive(Default)]
struct Seen {
    ids: HashSet<Arc<str>>,
    order: VecDeque<Arc<str>>,
}

impl Seen {
    /// Records `id`; false when it was seen already.
    fn insert(&mut self, id: &str, cap: usize) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        let id: Arc<str> = Arc::from(id);
        self.ids.insert(Arc::clone(&id));
        self.order.push_back(id);
        if self.order.len() > cap {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }
}

struct Inner {
    /// Next offset to route, per partition.
    pos: Vec<i64>,
    /// Recently routed event ids, per partition.
    seen: Vec<Seen>,
    /// Lowest offset still in the replay buffer's reach, per partition.
    floor: Vec<i64>,
    buffer: Vec<VecDeque<Arc<Routed>>>,
    streams: HashMap<UserId, Vec<Slot>>,
    next_slot: u64,
    closed: bool,
}

pub struct Hub {
    inner: Mutex<Inner>,
    replay_cap: usize,
    stream_cap: usize,
    metrics: Arc<Metrics>,
    caught_up: std::sync::atomic::AtomicBool,
}

/// What attaching a stream gave.
pub enum Attached {
    /// The stream is registered; `replay` comes before anything live.
    Live {
        slot: u64,
        rx: mpsc::Receiver<sse::Event>,
        replay: Vec<sse::Event>,
        resumed: bool,
        /// The cursor asked for could not be served: send `reset` with this id first.
        reset: Option<ByteString>,
    },
    /// The cursor is ahead of this gateway (it came from a gateway further along): retry
    /// in a moment.
    Ahead,
    /// The hub is shutting down.
    Closed,
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
                pos: vec![0; partitions],
                seen: (0..partitions).map(|_| Seen::default()).collect(),
                floor: vec![0; partitions],
                buffer: (0..partitions).map(|_| VecDeque::new()).collect(),
                streams: HashMap::new(),
                next_slot: 0,
                closed: false,
            }),
            replay_cap: replay_cap.max(1),
            stream_cap: stream_cap.max(1),
            metrics,
            caught_up: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters more than losing the gateway, so recover the guard.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn partitions(&self) -> usize {
        self.lock().pos.len()
    }

    /// Where consumption starts (before any event is routed).
    pub fn start_at(&self, offsets: &[i64]) {
        let mut inner = self.lock();
        for (p, o) in offsets.iter().enumerate().take(inner.pos.len()) {
            inner.pos[p] = *o;
            inner.floor[p] = *o;
        }
    }

    pub fn position(&self) -> Cursor {
        Cursor(self.lock().pos.clone())
    }

    pub fn set_caught_up(&self) {
        self.caught_up
            .store(true, std::sync::atomic::Ordering::Release);
    }

    pub fn is_caught_up(&self) -> bool {
        self.caught_up.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Moves past a record that is not an event (undecodable).
    pub fn skip(&self, partition: usize, offset: i64) {
        let mut inner = self.lock();
        if let Some(p) = inner.pos.get_mut(partition) {
            *p = (*p).max(offset + 1);
        }
    }

    /// Routes one event to the streams of its audience and keeps it for replay.
    pub fn route(&self, partition: usize, offset: i64, env: RawEventEnvelope) {
        let mut inner = self.lock();
        if partition >= inner.pos.len() || offset < inner.pos[partition] {
            // Read again (a consumer that rewound after a broker failure): routed already.
            return;
        }
        inner.pos[partition] = offset + 1;
        let cap = self.replay_cap.max(10_000);
        if let Some(id) = env.id.as_deref() {
            if !inner.seen[partition].insert(id, cap) {
                // A command's events published twice: a reader sees each once.
                self.metrics.events_deduplicated.inc();
                return;
            }
        }
        let name = env.event.event;
        if name.is_internal() {
            close_for(&mut inner, &env);
            return;
        }
        let routed = Arc::new(Routed {
            offset,
            name,
            audience: env.audience,
            data: ByteString::from(env.event.data.get().to_owned()),
            id: ByteString::from(Cursor(inner.pos.clone()).encode()),
        });
        let Inner { streams, .. } = &mut *inner;
        let mut delivered = 0u64;
        for user in &routed.audience {
            let Some(slots) = streams.get_mut(user) else {
                continue;
            };
            slots.retain(
                |slot| match slot.tx.try_send(routed.to_sse(routed.id.clone())) {
                    Ok(()) => {
                        delivered += 1;
                        true
                    }
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        self.metrics.streams_closed_slow.inc();
                        tracing::info!(user = %user, "stream too far behind; closed");
                        false
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                },
            );
            if slots.is_empty() {
                streams.remove(user);
            }
        }
        self.metrics.events_delivered.inc_by(delivered);
        let buf = &mut inner.buffer[partition];
        buf.push_back(routed);
        if buf.len() > self.replay_cap {
            if let Some(old) = buf.pop_front() {
                inner.floor[partition] = old.offset + 1;
            }
        }
    }

    /// Registers a stream for `user`, replaying what it missed after `cursor`.
    pub fn attach(&self, user: UserId, session: SessionId, cursor: Option<&str>) -> Attached {
        let mut inner = self.lock();
        if inner.closed {
            return Attached::Closed;
        }
        let mut replay = Vec::new();
        let mut reset = None;
        let mut resumed = false;
        if let Some(raw) = cursor {
            match Cursor::decode(raw, inner.pos.len()) {
                Some(c) if c.0.iter().zip(&inner.pos).any(|(c, p)| c > p) => {
                    return Attached::Ahead
                }
                Some(c) if c.0.iter().zip(&inner.floor).all(|(c, f)| c >= f) => {
                    replay = replay_after(&inner, &c, user);
                    resumed = true;
                }
                _ => reset = Some(ByteString::from(Cursor(inner.pos.clone()).encode())),
            }
        }
        let (tx, rx) = mpsc::channel(self.stream_cap);
        inner.next_slot += 1;
        let slot = inner.next_slot;
        inner.streams.entry(user).or_default().push(Slot {
            id: slot,
            session,
            tx,
        });
        self.metrics.streams_open.inc();
        Attached::Live {
            slot,
            rx,
            replay,
            resumed,
            reset,
        }
    }

    /// Forgets a stream whose client went away.
    pub fn detach(&self, user: UserId, slot: u64) {
        let mut inner = self.lock();
        if let Some(slots) = inner.streams.get_mut(&user) {
            slots.retain(|s| s.id != slot);
            if slots.is_empty() {
                inner.streams.remove(&user);
            }
        }
        self.metrics.streams_open.dec();
    }

    /// Ends every stream (shutdown): clients reconnect elsewhere and resume.
    pub fn close_all(&self) {
        let mut inner = self.lock();
        inner.closed = true;
        inner.streams.clear();
    }
}

/// The events after `c` that `user` may see, with per-stream ids that only move forward.
fn replay_after(inner: &Inner, c: &Cursor, user: UserId) -> Vec<sse::Event> {
    let mut working = c.clone();
    let mut out = Vec::new();
    for (p, buf) in inner.buffer.iter().enumerate() {
        for ev in buf.iter().filter(|e| e.offset >= c.0[p]) {
            working.0[p] = ev.offset + 1;
            if ev.audience.contains(&user) {
                out.push(ev.to_sse(ByteString::from(working.encode())));
            }
        }
        working.0[p] = inner.pos[p];
    }
    out
}

/// Handles an internal event: a closed session's or deleted account's streams end.
fn close_for(inner: &mut Inner, env: &RawEventEnvelope) {
    #[derive(serde::Deserialize)]
    struct Target {
        session_id: Option<SessionId>,
    }
    let target: Option<Target> = serde_json::from_str(env.event.data.get()).ok();
    let session = target.and_then(|t| t.session_id);
    for user in &env.audience {
        if let Some(slots) = inner.streams.get_mut(user) {
            slots.retain(|s| session.is_some_and(|sid| s.session != sid));
            if slots.is_empty() {
                inner.streams.remove(user);
            }
        }
    }
}
