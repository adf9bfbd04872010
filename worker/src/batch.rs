//! One unit of the worker's work: a polled batch of command records in, the records to
//! publish out. All database effects of the batch commit in one transaction (a savepoint
//! per command but sends, whose runs are applied together; when one fails, the whole
//! batch is applied again with each send in a savepoint of its own); the caller then publishes the returned records and,
//! once Kafka has them, commits the consumer offsets. Tests drive this function directly.

use crate::apply::{self, sends, Applied, ApplyError};
use crate::poison::{self, Input};
use crate::record::{Output, Recorded};
use diesel::prelude::*;
use parley_db::{ledger, DbError};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::{ErrorCode, Outcome, RequestId};
use std::collections::HashMap;
use thiserror::Error;

/// What a batch publishes: events, and poison commands for the dead-letter topic.
#[derive(Debug, Default)]
pub struct Prepared {
    pub events: Vec<Output>,
    pub dead_letters: Vec<Output>,
    pub applied: usize,
    pub replayed: usize,
}

/// Why a whole batch failed and must be retried.
#[derive(Debug, Error)]
pub enum BatchError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("encoding the batch's events")]
    Encode(#[from] serde_json::Error),
    /// A run of sends applied together failed: the batch is applied again, sends one by one.
    #[error("a run of sends failed: {0}")]
    SendsFailed(String),
}

/// How a batch applies its runs of sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Sends {
    /// All of a run together, with no savepoint of its own (two round trips fewer): a
    /// failure fails the whole batch, which is then applied again `OneByOne`.
    #[default]
    Together,
    /// Each send in a savepoint of its own, so a bad one is refused alone.
    OneByOne,
}

/// Applies a batch in one database transaction and returns what to publish.
/// Fails only for errors worth retrying the whole batch for (the database is unreachable);
/// everything else becomes an error `result` and, for poison, a dead letter.
pub fn apply_batch(conn: &mut PgConnection, inputs: &[Input]) -> Result<Prepared, BatchError> {
    match apply_batch_as(conn, inputs, Sends::Together) {
        Err(BatchError::SendsFailed(e)) => {
            tracing::debug!(error = %e, "batched sends failed; the batch again, one by one");
            apply_batch_as(conn, inputs, Sends::OneByOne)
        }
        other => other,
    }
}

fn apply_batch_as(
    conn: &mut PgConnection,
    inputs: &[Input],
    mode: Sends,
) -> Result<Prepared, BatchError> {
    let decode = |i: &Input| serde_json::from_slice::<CommandEnvelope>(&i.payload);
    let decoded: Vec<_> = inputs.iter().map(decode).collect();
    let ids: Vec<RequestId> = decoded.iter().flatten().map(|e| e.request_id).collect();
    conn.transaction::<_, BatchError, _>(|conn| {
        let mut run = Run {
            mode,
            ..Run::default()
        };
        for entry in ledger::find_many(conn, &ids)? {
            run.stored
                .insert(entry.request_id, Recorded::from_ledger(&entry)?);
        }
        for (input, item) in inputs.iter().zip(&decoded) {
            match item {
                Err(reason) => {
                    run.flush_sends(conn)?;
                    let (dead, answer) = poison::poison(input, reason);
                    run.out.dead_letters.push(dead);
                    run.out.events.extend(answer);
                }
                Ok(env) if run.stored.contains_key(&env.request_id) => {
                    run.flush_sends(conn)?;
                    run.replay(env);
                }
                Ok(env) => match env.command {
                    Command::SendMessage { .. } => run.queue_send(env, input),
                    _ => {
                        run.flush_sends(conn)?;
                        let applied = apply_one(conn, env, input, &mut run.out)?;
                        run.record(env, applied)?;
                    }
                },
            }
        }
        run.flush_sends(conn)?;
        ledger::record_many(conn, &run.ledger)?;
        Ok(run.out)
    })
}

/// The state of one batch being applied.
#[derive(Default)]
struct Run<'a> {
    mode: Sends,
    /// Commands applied before (or earlier in this batch), with their events.
    stored: HashMap<RequestId, Recorded>,
    /// Queued `send_message` commands, in arrival order, not yet applied.
    sends: Vec<(&'a CommandEnvelope, &'a Input)>,
    /// Ledger rows to write at the end of the batch.
    ledger: Vec<ledger::Entry>,
    out: Prepared,
}

impl<'a> Run<'a> {
    fn queue_send(&mut self, env: &'a CommandEnvelope, input: &'a Input) {
        // The same command twice in one batch: once is enough.
        if !self
            .sends
            .iter()
            .any(|(e, _)| e.request_id == env.request_id)
        {
            self.sends.push((env, input));
        }
    }

    /// Publishes again the events of a command applied before.
    fn replay(&mut self, env: &CommandEnvelope) {
        if let Some(stored) = self.stored.get(&env.request_id) {
            self.out.events.extend(stored.outputs(&env.key()));
            self.out.replayed += 1;
        }
    }

    fn record(&mut self, env: &CommandEnvelope, applied: Applied) -> Result<(), BatchError> {
        let recorded = Recorded::new(env, applied)?;
        self.out.events.extend(recorded.outputs(&env.key()));
        self.ledger.push(recorded.entry()?);
        self.stored.insert(env.request_id, recorded);
        self.out.applied += 1;
        Ok(())
    }

    /// Applies the queued sends: together, where a failure fails the batch (to be applied
    /// again one by one), or each as a batch of one.
    fn flush_sends(&mut self, conn: &mut PgConnection) -> Result<(), BatchError> {
        let queued = std::mem::take(&mut self.sends);
        if queued.is_empty() {
            return Ok(());
        }
        if self.mode == Sends::OneByOne {
            for (env, input) in queued {
                let applied = apply_one(conn, env, input, &mut self.out)?;
                self.record(env, applied)?;
            }
            return Ok(());
        }
        let envs: Vec<&CommandEnvelope> = queued.iter().map(|(e, _)| *e).collect();
        match sends::apply_sends(conn, &envs) {
            Ok(outcomes) => {
                for (env, applied) in envs.iter().zip(outcomes) {
                    self.record(env, applied)?;
                }
                Ok(())
            }
            Err(ApplyError::Db(e)) if parley_db::error::is_transient(&e) => Err(e.into()),
            Err(e) => Err(BatchError::SendsFailed(e.to_string())),
        }
    }
}

/// Applies one command in a savepoint. A command that fails for good in Postgres gets an
/// `internal` result and goes to the dead-letter topic.
fn apply_one(
    conn: &mut PgConnection,
    env: &CommandEnvelope,
    input: &Input,
    out: &mut Prepared,
) -> Result<Applied, DbError> {
    let span =
        tracing::info_span!("apply", request_id = %env.request_id, kind = env.command.kind());
    let _enter = span.enter();
    let applied = match conn.transaction::<_, ApplyError, _>(|c| apply::apply(c, env)) {
        Ok(applied) => applied,
        Err(ApplyError::Rejected(err)) => Applied::new(env.request_id, Outcome::Refused(err)),
        Err(ApplyError::Db(e)) => {
            let err = DbError::Query(e);
            if err.is_transient() {
                return Err(err);
            }
            tracing::error!(error = %err, "command failed; sent to the dead-letter topic");
            out.dead_letters.push(Output {
                key: env.key(),
                request_id: Some(env.request_id),
                payload: input.payload.clone(),
            });
            let outcome = Outcome::refused(ErrorCode::Internal, "the command could not be applied");
            Applied::new(env.request_id, outcome)
        }
    };
    tracing::debug!(status = applied.outcome.status(), "applied");
    Ok(applied)
}
