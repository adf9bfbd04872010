//! Moderation from the command line: find the target in Postgres (a clear error when it
//! is not there), publish a `moderate` command through the idempotent producer, and wait
//! for the worker to apply it (its ledger row).

use anyhow::{bail, Context};
use chrono::Utc;
use parley_bus::{headers, KafkaArgs};
use parley_db::{ledger, users, PgPool};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::moderation::Moderation;
use parley_schema::validate::username_key;
use parley_schema::{MessageId, RequestId, UserId};
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::time::{Duration, Instant};

const APPLIED_WITHIN: Duration = Duration::from_secs(30);

/// The active account named `name` (any case).
pub fn user_named(pool: &PgPool, name: &str) -> anyhow::Result<UserId> {
    let mut conn = pool.get().context("connecting to Postgres")?;
    let found = users::find_by_key(&mut conn, &username_key(name))?;
    found
        .map(|u| u.id)
        .with_context(|| format!("no user named {name:?}"))
}

/// The room of message `id`.
pub fn room_of(pool: &PgPool, id: MessageId) -> anyhow::Result<parley_schema::RoomId> {
    let mut conn = pool.get().context("connecting to Postgres")?;
    let found = parley_db::messages::find(&mut conn, id)?;
    found
        .map(|m| m.room_id)
        .with_context(|| format!("no message {id}"))
}

/// Publishes `action` and waits until the worker applied it; returns its status.
pub async fn run(
    kafka: &KafkaArgs,
    pool: &PgPool,
    operator: &str,
    reason: &str,
    action: Moderation,
) -> anyhow::Result<i16> {
    let env = CommandEnvelope {
        request_id: RequestId::new(),
        actor: None,
        session_id: None,
        gateway_id: "parley-admin".into(),
        issued_at: Utc::now(),
        result_wanted: false,
        command: Command::Moderate {
            operator: operator.to_owned(),
            reason: reason.to_owned(),
            action,
        },
    };
    parley_bus::admin::ensure_topics(kafka).await?;
    let producer: FutureProducer = parley_bus::client::producer(kafka, "parley-admin").create()?;
    let payload = serde_json::to_vec(&env)?;
    let key = env.key();
    let topic = kafka.topics().commands;
    let record = FutureRecord::to(&topic)
        .key(&key)
        .payload(&payload)
        .headers(headers::with_request_id(env.request_id));
    producer
        .send(record, Duration::from_secs(10))
        .await
        .map_err(|(e, _)| e)
        .context("publishing the command")?;
    let pool = pool.clone();
    let id = env.request_id;
    tokio::task::spawn_blocking(move || await_applied(&pool, id)).await?
}

fn await_applied(pool: &PgPool, id: RequestId) -> anyhow::Result<i16> {
    let deadline = Instant::now() + APPLIED_WITHIN;
    let mut conn = pool.get().context("connecting to Postgres")?;
    loop {
        if let Some((_, status, _)) = ledger::outcomes(&mut conn, &[id])?.pop() {
            return Ok(status);
        }
        if Instant::now() > deadline {
            bail!("request {id} was published but no worker applied it within 30 s; is a worker running?");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What an outcome's status means to an operator.
pub fn describe(status: i16) -> &'static str {
    match status {
        200..=299 => "done",
        404 => "not found (it changed meanwhile, or the account is not suspended)",
        _ => "refused",
    }
}
