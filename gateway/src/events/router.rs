//! The router: one consumer per gateway reading every partition of the events topic
//! (assigned, not in a group), handing `result`s to waiting requests and every event to
//! the hub, and evicting cached sessions that closed. It starts twice
//! `replay_per_partition` events back from the end: the newer half fills the replay
//! buffer, so a restarted gateway can still resume streams, and the whole reach fills the
//! memory of routed event ids, so an event a worker published again after a crash is
//! dropped even when its first copy is older than the buffer.

use super::{hub, replay};
use crate::state::AppState;
use anyhow::Context;
use backon::BlockingRetryable;
use parley_bus::context::LogContext;
use parley_bus::KafkaArgs;
use parley_schema::event::{EventName, RawEventEnvelope, ResultEvent};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::{Message, Offset, TopicPartitionList};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub struct Router {
    consumer: StreamConsumer<LogContext>,
    /// What the router feeds: the hub, the waiters, the auth cache, the metrics.
    state: Arc<AppState>,
    /// Partitions not yet read to their end since start-up.
    behind: HashSet<i32>,
}

/// The events topic has no partitions with leaders yet.
#[derive(Debug, thiserror::Error)]
#[error("events topic {0} has no partitions with leaders")]
struct NotReady(String);

/// The number of partitions of the events topic. Right after the topic is created its
/// metadata may not have reached every broker yet, so ask again for 30 s.
pub fn partition_count(args: &KafkaArgs) -> anyhow::Result<usize> {
    let consumer: StreamConsumer<LogContext> =
        parley_bus::client::consumer(args, "parley-probe", "parley-probe")
            .create_with_context(LogContext::default())?;
    let topic = args.topics().events;
    let ask = || -> anyhow::Result<usize> {
        let md = consumer
            .fetch_metadata(Some(&topic), Duration::from_secs(10))
            .context("reading events topic metadata")?;
        md.topics()
            .iter()
            .find(|t| t.name() == topic)
            .filter(|t| t.error().is_none())
            .map(|t| t.partitions())
            .filter(|ps| !ps.is_empty() && ps.iter().all(|p| p.leader() >= 0))
            .map(|ps| ps.len())
            .ok_or_else(|| NotReady(topic.clone()).into())
    };
    ask.retry(std::iter::repeat_n(Duration::from_millis(500), 59))
        .when(|e| e.is::<NotReady>())
        .call()
}

impl Router {
    /// The events consumer, assigned to every partition from twice `replay_per_partition`
    /// back.
    pub fn new(state: Arc<AppState>) -> anyhow::Result<Self> {
        let (args, hub) = (&state.config.kafka, &state.hub);
        let client_id = format!("gateway-{}", state.gateway_id);
        let mut config = parley_bus::client::consumer(args, &client_id, &client_id);
        config.set("enable.partition.eof", "true");
        let consumer: StreamConsumer<LogContext> = config
            .create_with_context(LogContext::default())
            .context("creating the events consumer")?;
        let topic = args.topics().events;
        let mut tpl = TopicPartitionList::new();
        let mut starts = Vec::new();
        let mut behind = HashSet::new();
        for p in 0..hub.partitions() as i32 {
            // Right after the topic is created, or a broker restarted, a partition's
            // leader may still be moving (seen in the crash suite): ask again for 30 s.
            let (low, high) = (|| consumer.fetch_watermarks(&topic, p, Duration::from_secs(10)))
                .retry(std::iter::repeat_n(Duration::from_millis(500), 60))
                .notify(
                    |e, _| tracing::warn!(partition = p, error = %e, "events watermarks: retrying"),
                )
                .call()
                .context("reading events watermarks")?;
            let reach = replay::SEEN_BUFFERS * state.config.replay_per_partition;
            let start = low.max(high - reach as i64);
            tpl.add_partition_offset(&topic, p, Offset::Offset(start))?;
            starts.push(start);
            if high > start {
                behind.insert(p);
            }
        }
        consumer
            .assign(&tpl)
            .context("assigning events partitions")?;
        // On a fresh database the worker may not have run the migrations yet (seen in the
        // crash suite): ask again for 30 s.
        let (members, social) = (|| -> anyhow::Result<_> {
            let mut conn = state.db.get().context("connecting to Postgres")?;
            let social = super::social::Seed {
                friendships: parley_db::friends::all(&mut conn)?,
                blocks: parley_db::blocks::all(&mut conn)?,
                hidden: parley_db::settings::presence_hidden(&mut conn)?,
            };
            Ok((parley_db::members::all(&mut conn)?, social))
        })
        .retry(std::iter::repeat_n(Duration::from_millis(500), 60))
        .notify(|e, _| tracing::warn!(error = %format!("{e:#}"), "rooms' members: retrying"))
        .call()
        .context("reading every room's members, friendships and blocks")?;
        hub.start_at(&starts, members, social);
        if behind.is_empty() {
            hub.set_caught_up();
        }
        Ok(Self {
            consumer,
            state,
            behind,
        })
    }

    /// Routes events until `shutdown`.
    pub async fn run(mut self, shutdown: CancellationToken) -> anyhow::Result<()> {
        loop {
            let msg = tokio::select! {
                _ = shutdown.cancelled() => break,
                m = self.consumer.recv() => m,
            };
            match msg {
                Ok(m) => {
                    let metrics = &self.state.metrics;
                    metrics.events_consumed.inc();
                    metrics.event_age.observe_since(m.timestamp().to_millis());
                    self.handle(m.partition(), m.offset(), m.payload().unwrap_or_default());
                }
                Err(KafkaError::PartitionEOF(p)) => self.mark_caught_up(p),
                Err(e) => {
                    tracing::warn!(error = %e, "events consumer error");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        Ok(())
    }

    fn handle(&self, partition: i32, offset: i64, payload: &[u8]) {
        let Ok(p) = usize::try_from(partition) else {
            return;
        };
        let env: RawEventEnvelope = match serde_json::from_slice(payload) {
            Ok(env) => env,
            Err(e) => {
                self.state.metrics.events_undecodable.inc();
                tracing::warn!(partition, offset, error = %e, "undecodable event skipped");
                self.state.hub.skip(p, offset);
                return;
            }
        };
        // A waiting request is answered only after its result went through the hub, so a
        // stream its client opens next cannot receive that older result as if it were new.
        let mut result = None;
        match env.event.event {
            EventName::Result => {
                result = serde_json::from_str::<ResultEvent>(env.event.data.get()).ok();
            }
            EventName::SessionClosed => {
                if let Some(session) = hub::closed_session(&env) {
                    self.state.auth_cache.evict_session(session);
                }
            }
            EventName::AccountDeleted | EventName::Profile => {
                for user in &env.audience {
                    self.state.auth_cache.evict_user(*user);
                }
            }
            _ => {}
        }
        self.state.hub.route(p, offset, env);
        if let Some(result) = result {
            self.state.waiters.complete(result);
        }
    }

    fn mark_caught_up(&mut self, partition: i32) {
        if self.behind.remove(&partition) && self.behind.is_empty() {
            tracing::info!("events consumer caught up");
            self.state.hub.set_caught_up();
        }
    }
}
