//! A command's record: its `result` event added to the events it produced, every event
//! given its stable id and serialised exactly once. The same bytes are published to Kafka
//! and kept in the ledger, and a replay from the ledger publishes them again unchanged.

use crate::apply::{self, Applied};
use parley_db::ledger::Entry;
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::{Event, EventEnvelope, EventName, Reply};
use parley_schema::RequestId;
use serde_json::value::RawValue;

/// A record to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub key: String,
    pub request_id: Option<RequestId>,
    pub payload: Vec<u8>,
}

/// One command's events, serialised.
#[derive(Debug)]
pub struct Recorded {
    pub request_id: RequestId,
    /// The status of the outcome (`Outcome::status`), as the ledger keeps it.
    pub status: i16,
    pub events: Vec<Box<RawValue>>,
}

impl Recorded {
    /// Adds the `result` event and the ids, and serialises each event.
    pub fn new(env: &CommandEnvelope, applied: Applied) -> serde_json::Result<Self> {
        let status = i16::try_from(applied.outcome.status()).unwrap_or(i16::MAX);
        let events = finish(env, applied)
            .iter()
            .map(serde_json::value::to_raw_value)
            .collect::<serde_json::Result<_>>()?;
        Ok(Self {
            request_id: env.request_id,
            status,
            events,
        })
    }

    /// A command applied before, as the ledger kept it.
    pub fn from_ledger(entry: &Entry) -> serde_json::Result<Self> {
        Ok(Self {
            request_id: entry.request_id,
            status: entry.status,
            events: serde_json::from_str(&entry.events)?,
        })
    }

    /// The ledger's row for this command.
    pub fn entry(&self) -> serde_json::Result<Entry> {
        Ok(Entry {
            request_id: self.request_id,
            status: self.status,
            events: serde_json::to_string(&self.events)?,
        })
    }

    /// The records that publish the events, under `key`.
    pub fn outputs<'a>(&'a self, key: &'a str) -> impl Iterator<Item = Output> + 'a {
        self.events.iter().map(move |e| Output {
            key: key.to_owned(),
            request_id: Some(self.request_id),
            payload: e.get().as_bytes().to_vec(),
        })
    }
}

/// All events of an applied command with their stable ids; `result` comes last but for
/// stream-closing events, and is left out where nobody needs it (see
/// `CommandEnvelope::result_wanted`).
fn finish(env: &CommandEnvelope, applied: Applied) -> Vec<EventEnvelope> {
    let Applied {
        request_id,
        outcome,
        mut events,
    } = applied;
    // A send's `message` event tells its sender; a session touch concerns nobody.
    let told_otherwise = outcome.status() < 400
        && (matches!(env.command, Command::TouchSession { .. })
            || events.iter().any(|e| matches!(e.event, Event::Message(_))));
    let to = apply::result_audience(env).filter(|_| env.result_wanted || !told_otherwise);
    if let Some(to) = to {
        // Before the events that close the caller's own streams (logout, account
        // deletion), so those still carry the outcome; after the ones that close other
        // sessions (revoking a device, a password change), so the caller's gateway has
        // ended them by the time the caller hears it is done.
        let closes_caller = |e: &EventEnvelope| match e.event {
            Event::SessionClosed { session_id } => Some(session_id) == env.session_id,
            _ => EventName::from(&e.event).is_internal(),
        };
        let at = events
            .iter()
            .position(closes_caller)
            .unwrap_or(events.len());
        let result = Event::Result(Reply::new(request_id, outcome));
        events.insert(
            at,
            EventEnvelope {
                id: None,
                request_id: Some(request_id),
                audience: vec![to],
                room: None,
                author: None,
                event: result,
            },
        );
    }
    for (n, event) in events.iter_mut().enumerate() {
        event.id = Some(format!("{request_id}/{n}"));
    }
    events
}
