//! The audit consumer: each batch of commands is joined with the worker's ledger (the
//! status and time each was applied) and appended to `audit_log` in one transaction before
//! its offsets are stored. A command the worker has not applied yet holds the batch back
//! until it has (the audit trail follows the worker, never runs ahead of it).

use crate::config::AuditConfig;
use crate::entry;
use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};
use parley_bus::batches::{BatchConsumer, Record};
use parley_db::{audit, ledger, PgPool};
use parley_schema::command::CommandEnvelope;
use parley_schema::RequestId;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How long a batch waits for the worker before it is given up and read again.
const WAIT_FOR_WORKER: Duration = Duration::from_secs(10);
const LOOK_AGAIN: Duration = Duration::from_millis(10);

pub struct Audit {
    consumer: BatchConsumer,
    pool: PgPool,
}

impl Audit {
    pub fn new(config: &AuditConfig, pool: PgPool) -> anyhow::Result<Self> {
        let prefix = &config.kafka.topic_prefix;
        let id = (config.audit_id.clone()).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let consumer = BatchConsumer::new(
            &config.kafka,
            &format!("{prefix}.audit.{id}"),
            &group(prefix),
            config.kafka.topics().commands,
            config.batch_max,
        )
        .context("joining the audit group")?;
        Ok(Self { consumer, pool })
    }

    /// Records until `shutdown`.
    pub fn run(self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        let stop = || shutdown.is_cancelled();
        self.consumer.run(stop, |records| -> anyhow::Result<()> {
            let mut conn = self.pool.get().context("connecting to Postgres")?;
            let n = record(&mut conn, records, &stop)?;
            tracing::debug!(commands = records.len(), new = n, "batch audited");
            Ok(())
        });
        tracing::info!("audit stopped");
        Ok(())
    }
}

/// The consumer group: `<prefix>.audit`.
pub fn group(prefix: &str) -> String {
    format!("{prefix}.audit")
}

/// Appends the rows of `records`; returns how many were new.
pub fn record(
    conn: &mut PgConnection,
    records: &[Record],
    stop: &dyn Fn() -> bool,
) -> anyhow::Result<usize> {
    let mut envs: Vec<CommandEnvelope> = Vec::with_capacity(records.len());
    let mut seen = HashSet::with_capacity(records.len());
    for r in records {
        match serde_json::from_slice::<CommandEnvelope>(r.payload.as_deref().unwrap_or_default()) {
            Ok(env) if seen.insert(env.request_id) => envs.push(env),
            Ok(_) => {}
            // The worker dead-letters it too: it was never applied.
            Err(e) => tracing::warn!(partition = r.partition, offset = r.offset, error = %e,
                "undecodable command left out of the audit trail"),
        }
    }
    let ids: Vec<RequestId> = envs.iter().map(|e| e.request_id).collect();
    let outcomes = applied(conn, &ids, stop)?;
    let rows: Vec<_> = (envs.iter())
        .filter_map(|env| {
            let (status, at) = outcomes.get(&env.request_id)?;
            Some(entry::row(env, *status, *at))
        })
        .collect();
    Ok(conn.transaction(|c| audit::append(c, &rows))?)
}

/// The ledger's status and time for every one of `ids`, waiting for the worker to apply
/// the ones it has not yet.
fn applied(
    conn: &mut PgConnection,
    ids: &[RequestId],
    stop: &dyn Fn() -> bool,
) -> anyhow::Result<HashMap<RequestId, (i16, DateTime<Utc>)>> {
    let deadline = Instant::now() + WAIT_FOR_WORKER;
    let mut found = HashMap::with_capacity(ids.len());
    loop {
        let missing: Vec<RequestId> = (ids.iter())
            .filter(|id| !found.contains_key(*id))
            .copied()
            .collect();
        if missing.is_empty() {
            return Ok(found);
        }
        for (id, status, at) in ledger::outcomes(conn, &missing)? {
            found.insert(id, (status, at));
        }
        if found.len() == ids.len() {
            return Ok(found);
        }
        if stop() || Instant::now() > deadline {
            bail!(
                "{} of {} commands not applied by the worker yet",
                ids.len() - found.len(),
                ids.len()
            );
        }
        std::thread::sleep(LOOK_AGAIN);
    }
}
