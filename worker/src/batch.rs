//! One unit of the worker's work: a polled batch of command records in, the records to
//! publish out. All database effects of the batch commit in one transaction (one savepoint
//! per command); the caller then publishes the returned records and the consumer offsets in
//! one Kafka transaction. Tests drive this function directly.

use crate::apply::{self, sends, ApplyError, Outcome};
use diesel::prelude::*;
use parley_db::{ledger, DbError};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::{Event, EventEnvelope, ResultEvent};
use parley_schema::{ErrorBody, ErrorCode, RequestId, UserId};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// A consumed command record.
#[derive(Debug, Clone)]
pub struct Input {
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
}

/// A record to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub key: String,
    pub request_id: Option<String>,
    pub payload: Vec<u8>,
}

/// What a batch publishes: events, and poison commands for the dead-letter topic.
#[derive(Debug, Default)]
pub struct Prepared {
    pub events: Vec<Output>,
    pub dead_letters: Vec<Output>,
    pub applied: usize,
    pub replayed: usize,
}

/// Just enough of a command to answer it when the rest does not decode.
#[derive(Deserialize)]
struct Partial {
    request_id: RequestId,
    actor: Option<UserId>,
}

enum Decoded {
    Command(Box<CommandEnvelope>),
    Poison(String),
}

/// Applies a batch in one database transaction and returns what to publish.
/// Fails only for errors worth retrying the whole batch for (the database is unreachable);
/// everything else becomes an error `result` and, for poison, a dead letter.
pub fn apply_batch(conn: &mut PgConnection, inputs: &[Input]) -> Result<Prepared, DbError> {
    let decoded: Vec<Decoded> = inputs
        .iter()
        .map(
            |i| match serde_json::from_slice::<CommandEnvelope>(&i.payload) {
                Ok(env) => Decoded::Command(Box::new(env)),
                Err(e) => Decoded::Poison(e.to_string()),
            },
        )
        .collect();
    let ids: Vec<Uuid> = decoded
        .iter()
        .filter_map(|d| match d {
            Decoded::Command(env) => Some(env.request_id.0),
            Decoded::Poison(_) => None,
        })
        .collect();

    conn.transaction::<_, DbError, _>(|conn| {
        let mut run = Run {
            stored: ledger::find_many(conn, &ids)?
                .into_iter()
                .map(|a| (a.request_id, a.events))
                .collect(),
            sends: Vec::new(),
            ledger: Vec::new(),
            out: Prepared::default(),
        };
        for (input, item) in inputs.iter().zip(&decoded) {
            match item {
                Decoded::Poison(reason) => {
                    run.flush_sends(conn)?;
                    poison(input, reason, &mut run.out);
                }
                Decoded::Command(env) => {
                    if let Some(stored) = run.stored.get(&env.request_id.0) {
                        let stored = stored.clone();
                        run.flush_sends(conn)?;
                        run.out.replayed += 1;
                        push_events(&mut run.out.events, &env.key(), &stored);
                        continue;
                    }
                    if let Command::SendMessage { room_id, .. } = env.command {
                        run.queue_send(room_id.0, env, input);
                        continue;
                    }
                    run.flush_sends(conn)?;
                    let events = apply_one(conn, env, input, &mut run.out)?;
                    run.record(env, events);
                }
            }
        }
        run.flush_sends(conn)?;
        ledger::record_many(conn, &run.ledger)?;
        Ok(run.out)
    })
}

/// The state of one batch being applied.
struct Run<'a> {
    /// Commands applied before (or earlier in this batch), with their events.
    stored: HashMap<Uuid, serde_json::Value>,
    /// Queued `send_message` commands, per room in arrival order, not yet applied.
    sends: Vec<(Uuid, Vec<(&'a CommandEnvelope, &'a Input)>)>,
    /// Ledger rows to write at the end of the batch.
    ledger: Vec<(Uuid, i16, serde_json::Value)>,
    out: Prepared,
}

impl<'a> Run<'a> {
    fn queue_send(&mut self, room: Uuid, env: &'a CommandEnvelope, input: &'a Input) {
        let queued = self.sends.iter().flat_map(|(_, v)| v);
        if queued.clone().any(|(e, _)| e.request_id == env.request_id) {
            return; // the same command twice in one batch: once is enough
        }
        match self.sends.iter_mut().find(|(r, _)| *r == room) {
            Some((_, run)) => run.push((env, input)),
            None => self.sends.push((room, vec![(env, input)])),
        }
    }

    fn record(&mut self, env: &CommandEnvelope, events: serde_json::Value) {
        push_events(&mut self.out.events, &env.key(), &events);
        self.ledger
            .push((env.request_id.0, outcome_status(&events), events.clone()));
        self.stored.insert(env.request_id.0, events);
        self.out.applied += 1;
    }

    /// Applies the queued sends of every room together; if that fails it is rolled back
    /// and the same commands are applied one at a time.
    fn flush_sends(&mut self, conn: &mut PgConnection) -> Result<(), DbError> {
        let queued = std::mem::take(&mut self.sends);
        if queued.is_empty() {
            return Ok(());
        }
        let runs: Vec<sends::RoomRun<'_>> = queued
            .iter()
            .map(|(room, v)| (*room, v.iter().map(|(e, _)| *e).collect()))
            .collect();
        match conn.transaction::<_, ApplyError, _>(|c| sends::apply_runs(c, &runs)) {
            Ok(outcomes) => {
                for ((_, envs), run_outcomes) in runs.iter().zip(outcomes) {
                    for (env, outcome) in envs.iter().zip(run_outcomes) {
                        let events = finish(env, outcome);
                        self.record(env, events);
                    }
                }
            }
            Err(ApplyError::Db(e)) if parley_db::error::is_transient(&e) => {
                return Err(DbError::Query(e));
            }
            Err(e) => {
                tracing::debug!(error = %e, "batched sends failed; applying one by one");
                for (env, input) in queued.into_iter().flat_map(|(_, v)| v) {
                    let events = apply_one(conn, env, input, &mut self.out)?;
                    self.record(env, events);
                }
            }
        }
        Ok(())
    }
}

/// Applies one command in a savepoint and returns all its events, `result` last.
fn apply_one(
    conn: &mut PgConnection,
    env: &CommandEnvelope,
    input: &Input,
    out: &mut Prepared,
) -> Result<serde_json::Value, DbError> {
    let span =
        tracing::info_span!("apply", request_id = %env.request_id, kind = env.command.kind());
    let _enter = span.enter();
    let outcome = match conn.transaction::<_, ApplyError, _>(|c| apply::apply(c, env)) {
        Ok(outcome) => outcome,
        Err(ApplyError::Rejected(err)) => Outcome::error(&err),
        Err(ApplyError::Db(e)) => {
            let err = DbError::Query(e);
            if err.is_transient() {
                return Err(err);
            }
            tracing::error!(error = %err, "command failed; sent to the dead-letter topic");
            out.dead_letters.push(Output {
                key: env.key(),
                request_id: Some(env.request_id.to_string()),
                payload: input.payload.clone(),
            });
            Outcome::error(&ErrorBody::new(
                ErrorCode::Internal,
                "the command could not be applied",
            ))
        }
    };
    tracing::debug!(status = outcome.status, "applied");
    Ok(finish(env, outcome))
}

/// All events of an applied command with their stable ids; `result` comes last but for
/// stream-closing events.
fn finish(env: &CommandEnvelope, outcome: Outcome) -> serde_json::Value {
    let mut events = outcome.events;
    if let Some(to) = apply::result_audience(env) {
        // Before the events that close streams (logout, account deletion), so the caller's
        // streams still carry the outcome.
        let at = events
            .iter()
            .position(|e| {
                matches!(
                    e.event,
                    Event::SessionClosed { .. } | Event::AccountDeleted { .. }
                )
            })
            .unwrap_or(events.len());
        events.insert(
            at,
            EventEnvelope {
                id: None,
                request_id: Some(env.request_id),
                audience: vec![to],
                event: Event::Result(ResultEvent {
                    request_id: env.request_id,
                    status: outcome.status,
                    body: outcome.body,
                }),
            },
        );
    }
    for (n, event) in events.iter_mut().enumerate() {
        event.id = Some(format!("{}/{n}", env.request_id));
    }
    serde_json::to_value(events).unwrap_or_default()
}

fn outcome_status(events: &serde_json::Value) -> i16 {
    events
        .as_array()
        .and_then(|a| a.last())
        .and_then(|e| e.pointer("/event/data/status"))
        .and_then(|s| s.as_i64())
        .and_then(|s| i16::try_from(s).ok())
        .unwrap_or(0)
}

fn poison(input: &Input, reason: &str, out: &mut Prepared) {
    let key = input
        .key
        .as_deref()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .unwrap_or_default();
    tracing::warn!(%reason, "undecodable command sent to the dead-letter topic");
    let partial = serde_json::from_slice::<Partial>(&input.payload).ok();
    out.dead_letters.push(Output {
        key: key.clone(),
        request_id: partial.as_ref().map(|p| p.request_id.to_string()),
        payload: input.payload.clone(),
    });
    if let Some(Partial {
        request_id,
        actor: Some(actor),
    }) = partial
    {
        let err = ErrorBody::new(
            ErrorCode::InvalidJson,
            "the command could not be decoded by the worker",
        );
        let env = EventEnvelope {
            id: Some(format!("{request_id}/poison")),
            request_id: Some(request_id),
            audience: vec![actor],
            event: Event::Result(ResultEvent::error(request_id, &err)),
        };
        if let Ok(payload) = serde_json::to_vec(&env) {
            out.events.push(Output {
                key,
                request_id: Some(request_id.to_string()),
                payload,
            });
        }
    }
}

fn push_events(out: &mut Vec<Output>, key: &str, events: &serde_json::Value) {
    for e in events.as_array().into_iter().flatten() {
        let request_id = e
            .get("request_id")
            .and_then(|r| r.as_str())
            .map(str::to_owned);
        if let Ok(payload) = serde_json::to_vec(e) {
            out.push(Output {
                key: key.to_owned(),
                request_id,
                payload,
            });
        }
    }
}
