//! The replay buffer: this gateway's position in the events topic and the last events of
//! each partition, to resume a stream from its cursor.
//!
//! Invariants, per partition: `pos` only moves forward and is the offset of the next event
//! to route; every offset below `pos` was admitted at most once; the buffer holds the
//! events from `floor` up to `pos`, at most `cap` of them. The ids of the last `2 × cap`
//! (at least 10,000) events admitted are remembered, so an event published twice (a worker
//! that crashed or failed after publishing a batch, before committing its offsets) is
//! admitted once.
//! The hub holds this behind its one lock, together with the stream registry.

use super::cursor::Cursor;
use super::rooms::Members;
use actix_web_lab::sse;
use bytestring::ByteString;
use hashlink::LinkedHashSet;
use parley_schema::event::EventName;
use parley_schema::UserId;
use std::collections::VecDeque;
use std::sync::Arc;

/// Who an event is for: the users it names, and the members of its room when it was
/// routed.
#[derive(Debug, Default)]
pub struct Audience {
    pub users: Vec<UserId>,
    pub room: Option<Members>,
}

impl Audience {
    pub fn contains(&self, user: &UserId) -> bool {
        self.users.contains(user) || self.room.as_ref().is_some_and(|m| m.contains(user))
    }

    /// Each user once.
    pub fn iter(&self) -> impl Iterator<Item = &UserId> + '_ {
        let members = self.room.iter().flat_map(|m| m.iter());
        let named = &self.users;
        named
            .iter()
            .chain(members.filter(move |u| !named.contains(u)))
    }
}

/// One event as routed: decoded once, shared by every stream and the replay buffer.
#[derive(Debug)]
pub struct Routed {
    pub offset: i64,
    pub name: EventName,
    pub audience: Audience,
    pub data: ByteString,
    /// The cursor after this event, from this gateway's point of view.
    pub id: ByteString,
    /// A message's author, for the `from_blocked` flag.
    pub author: Option<UserId>,
}

impl Routed {
    /// The SSE event for a reader, with `id` as its cursor; `from_blocked` when they block
    /// its author.
    pub fn to_sse_for(&self, id: ByteString, from_blocked: bool) -> sse::Event {
        let data = match self.data.strip_prefix('{') {
            Some(rest) if from_blocked => {
                ByteString::from(format!("{{\"from_blocked\":true,{rest}"))
            }
            _ => self.data.clone(),
        };
        sse::Data::new(data).event(self.name.as_str()).id(id).into()
    }
}

/// What came of offering a record to the replay buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Admit {
    /// New: route it.
    New,
    /// This offset was routed already (a consumer that rewound after a broker failure).
    Reread,
    /// This event id was routed already (a command's events published twice).
    Duplicate,
}

/// Where a stream starts, given the cursor it asked for.
#[derive(Debug)]
pub enum Start {
    /// No cursor: live events only.
    Fresh,
    /// The cursor is served: these events first, then live.
    Replay(Vec<sse::Event>),
    /// The cursor cannot be served (too old or not understood): `reset` with this id.
    Reset(ByteString),
}

/// The cursor is ahead of this gateway (it came from a gateway further along).
#[derive(Debug)]
pub struct Ahead;

/// How many buffers' worth of event ids a gateway remembers (and reads back at start), so
/// that an event a worker published again after a crash is dropped even when its first
/// copy has left the buffer.
pub const SEEN_BUFFERS: usize = 2;

pub struct Replay {
    /// Next offset to route, per partition.
    pos: Vec<i64>,
    /// The ids of the last events admitted, per partition, oldest first.
    seen: Vec<LinkedHashSet<Box<str>>>,
    /// Lowest offset still in the buffer's reach, per partition.
    floor: Vec<i64>,
    buffer: Vec<VecDeque<Arc<Routed>>>,
    cap: usize,
}

impl Replay {
    /// A buffer of `cap` events per partition (at least one).
    pub fn new(partitions: usize, cap: usize) -> Self {
        Self {
            pos: vec![0; partitions],
            seen: (0..partitions).map(|_| LinkedHashSet::new()).collect(),
            floor: vec![0; partitions],
            buffer: (0..partitions).map(|_| VecDeque::new()).collect(),
            cap: cap.max(1),
        }
    }

    pub fn partitions(&self) -> usize {
        self.pos.len()
    }

    /// Where consumption starts (before any event is routed).
    pub fn start_at(&mut self, offsets: &[i64]) {
        for (p, o) in offsets.iter().enumerate().take(self.pos.len()) {
            self.pos[p] = *o;
            self.floor[p] = *o;
        }
    }

    /// This gateway's position: the cursor after everything admitted.
    pub fn cursor(&self) -> Cursor {
        Cursor(self.pos.clone())
    }

    /// Moves past a record that is not an event (undecodable).
    pub fn skip(&mut self, partition: usize, offset: i64) {
        if let Some(p) = self.pos.get_mut(partition) {
            *p = (*p).max(offset + 1);
        }
    }

    /// Moves past the record at `offset`, and says whether it is new.
    pub fn admit(&mut self, partition: usize, offset: i64, id: Option<&str>) -> Admit {
        if partition >= self.pos.len() || offset < self.pos[partition] {
            return Admit::Reread;
        }
        self.pos[partition] = offset + 1;
        let Some(id) = id else {
            return Admit::New;
        };
        let seen = &mut self.seen[partition];
        if !seen.insert(id.into()) {
            return Admit::Duplicate;
        }
        if seen.len() > (SEEN_BUFFERS * self.cap).max(10_000) {
            seen.pop_front();
        }
        Admit::New
    }

    /// Keeps an admitted event for replay, dropping the oldest beyond the cap.
    pub fn keep(&mut self, partition: usize, routed: Arc<Routed>) {
        let Some(buf) = self.buffer.get_mut(partition) else {
            return;
        };
        buf.push_back(routed);
        if buf.len() > self.cap {
            if let Some(old) = buf.pop_front() {
                self.floor[partition] = old.offset + 1;
            }
        }
    }

    /// Where a stream of `user` that asked for `cursor` starts; `blocks` says whose
    /// messages it reads as `from_blocked`.
    pub fn start(
        &self,
        cursor: Option<&str>,
        user: UserId,
        blocks: impl Fn(UserId) -> bool,
    ) -> Result<Start, Ahead> {
        let Some(raw) = cursor else {
            return Ok(Start::Fresh);
        };
        Ok(match Cursor::decode(raw, self.pos.len()) {
            Some(c) if c.0.iter().zip(&self.pos).any(|(c, p)| c > p) => return Err(Ahead),
            Some(c) if c.0.iter().zip(&self.floor).all(|(c, f)| c >= f) => {
                Start::Replay(self.after(&c, user, blocks))
            }
            _ => Start::Reset(ByteString::from(self.cursor().encode())),
        })
    }

    /// The events after `c` that `user` may see, with per-stream ids that only move forward.
    fn after(&self, c: &Cursor, user: UserId, blocks: impl Fn(UserId) -> bool) -> Vec<sse::Event> {
        let mut working = c.clone();
        let mut out = Vec::new();
        for (p, buf) in self.buffer.iter().enumerate() {
            for ev in buf.iter().filter(|e| e.offset >= c.0[p]) {
                working.0[p] = ev.offset + 1;
                if ev.audience.contains(&user) {
                    let flag = ev.author.is_some_and(&blocks);
                    out.push(ev.to_sse_for(ByteString::from(working.encode()), flag));
                }
            }
            working.0[p] = self.pos[p];
        }
        out
    }
}
