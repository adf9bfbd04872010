//! The worker's consume-apply-publish loop.
//!
//! Per batch: poll up to `batch_max` records; apply them to Postgres and commit; hand the
//! events and dead letters to the idempotent producer ([`crate::publish`]) and go on with
//! the next batch while they are delivered. A batch's consumer offsets are committed once
//! it and every older batch are acknowledged by Kafka ([`crate::inflight`]), by the
//! consumer's background commit. A crash anywhere before that leaves the offsets where
//! they were, so the batch is consumed again;
//! the ledger in Postgres turns the re-application into a replay of the stored events
//! under the same event ids, and gateways drop an event id they have routed. At least once
//! on the wire, exactly once as clients see it.

use crate::batch::{self, Prepared};
use crate::config::WorkerConfig;
use crate::inflight::{InFlight, Ranges};
use crate::linger::Linger;
use crate::metrics::WorkerMetrics;
use crate::poison::Input;
use crate::publish::Publisher;
use anyhow::Context;
use backon::{BlockingRetryable, ExponentialBuilder};
use parley_bus::context::LogContext;
use parley_bus::Topics;
use parley_db::PgPool;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

/// Batches applied but not yet acknowledged by Kafka, at most: past that the worker waits.
const MAX_IN_FLIGHT: usize = 16;
/// How long shutdown waits for the events of the batches in flight.
const DRAIN: Duration = Duration::from_secs(10);

/// Between failed batches: 100 ms, doubling up to 5 s, for as long as batches fail.
const BATCH_BACKOFF: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(100))
    .with_max_delay(Duration::from_secs(5))
    .without_max_times();

pub struct Pipeline {
    consumer: BaseConsumer<LogContext>,
    publisher: Publisher,
    inflight: InFlight,
    pool: PgPool,
    topics: Topics,
    client_id: String,
    batch_max: usize,
    linger: Linger,
    metrics: Arc<WorkerMetrics>,
}

/// A polled batch: its records and, per partition, the first and next offsets.
struct Polled {
    inputs: Vec<Input>,
    ranges: Ranges,
}

impl Pipeline {
    pub fn new(
        config: &WorkerConfig,
        pool: PgPool,
        metrics: Arc<WorkerMetrics>,
    ) -> anyhow::Result<Self> {
        let topics = config.kafka.topics();
        let worker_id = config
            .worker_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let client_id = format!("{}.worker.{worker_id}", config.kafka.topic_prefix);
        let group = parley_bus::topics::worker_group(&config.kafka.topic_prefix);
        let consumer: BaseConsumer<LogContext> =
            parley_bus::client::consumer(&config.kafka, &client_id, &group)
                // Feeds the lag gauge without a blocking watermark query: asking the broker
                // from this thread stalled consumption ~140 ms every time (measured).
                .set("statistics.interval.ms", "2000")
                // Offsets of delivered batches are stored as they settle and committed in
                // the background every 200 ms (and on revocation and close). An async
                // commit per batch, ~100 a second, queued up on the coordinator's
                // connection until a heartbeat waited 10 s and the worker lost its
                // partitions (measured in the latency benchmark).
                .set("enable.auto.commit", "true")
                .set("auto.commit.interval.ms", "200")
                .create_with_context(LogContext::with_lag(metrics.lag_gauge()))
                .context("creating the command consumer")?;
        parley_bus::admin::await_topic(&consumer, &topics.commands)
            .context("waiting for the commands topic")?;
        consumer
            .subscribe(&[&topics.commands])
            .context("subscribing to commands")?;
        let publisher = Publisher::new(&config.kafka, &client_id)?;
        Ok(Self {
            consumer,
            publisher,
            inflight: InFlight::default(),
            pool,
            topics,
            client_id,
            batch_max: config.batch_max.max(1),
            linger: Linger::new(Duration::from_millis(config.batch_linger_ms)),
            metrics,
        })
    }

    /// Runs until `shutdown`; the batch in hand when it fires is finished, and the offsets
    /// of every batch delivered by then are committed.
    pub fn run(mut self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        tracing::info!(client_id = %self.client_id, "worker consuming {}", self.topics.commands);
        // Run on a blocking thread of the runtime: backoff sleeps end early on shutdown.
        let runtime = tokio::runtime::Handle::current();
        while !shutdown.is_cancelled() {
            let (stop, runtime) = (shutdown.clone(), runtime.clone());
            // A failed batch is retried until one succeeds; the backoff then starts afresh.
            (|| self.next_batch(shutdown))
                .retry(BATCH_BACKOFF)
                .sleep(move |d| drop(runtime.block_on(timeout(d, stop.cancelled()))))
                .notify(|e, d| tracing::warn!(error = %format!("{e:#}"),
                    retry_in_ms = d.as_millis() as u64, "batch failed; offsets not committed, retrying"))
                .call()?;
        }
        self.drain();
        tracing::info!("worker stopped");
        Ok(())
    }

    /// Commits what is delivered, then polls, applies and publishes one batch; a failed
    /// one is rewound so that it is consumed again. Once `shutdown` fired it does nothing,
    /// so a pending retry ends the loop.
    fn next_batch(&mut self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        if shutdown.is_cancelled() {
            return Ok(());
        }
        self.settle()?;
        while self.inflight.len() >= MAX_IN_FLIGHT {
            if let Some(oldest) = self.inflight.oldest() {
                self.publisher.wait(oldest, Duration::from_millis(100));
            }
            if shutdown.is_cancelled() {
                return Ok(());
            }
            self.settle()?;
        }
        let wait = Duration::from_millis(if self.inflight.is_empty() { 100 } else { 5 });
        let Some(polled) = self.poll_batch(wait) else {
            return Ok(());
        };
        let started = Instant::now();
        let prepared = self.apply(&polled).inspect_err(|_| {
            self.metrics.batch_failed();
            self.rewind(polled.ranges.iter().map(|(p, (first, _))| (*p, *first)));
        })?;
        let ticket = self.publisher.publish(&prepared);
        self.inflight.push(ticket, polled.ranges);
        self.metrics.batch_committed(polled.inputs.len());
        tracing::debug!(
            commands = polled.inputs.len(),
            applied = prepared.applied,
            replayed = prepared.replayed,
            events = prepared.events.len(),
            ms = started.elapsed().as_millis() as u64,
            "batch applied"
        );
        Ok(())
    }

    /// Commits the offsets of the batches Kafka has acknowledged. After a failed delivery
    /// every batch in flight is rewound and the producer replaced.
    fn settle(&mut self) -> anyhow::Result<()> {
        match self.inflight.settle() {
            Ok(done) => {
                self.store(&done);
                Ok(())
            }
            Err(failed) => {
                self.metrics.batch_failed();
                self.rewind(failed.rewind_to.into_iter());
                self.publisher.replace()?;
                anyhow::bail!("events not delivered; the batches in flight are consumed again")
            }
        }
    }

    /// At shutdown: waits a while for the batches in flight, and commits what arrived.
    fn drain(&mut self) {
        let deadline = Instant::now() + DRAIN;
        while let Some(oldest) = self.inflight.oldest().cloned() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.publisher.wait(&oldest, left) || oldest.has_failed() {
                break;
            }
            if let Ok(done) = self.inflight.settle() {
                self.store(&done);
            }
        }
        if let Err(e) = self.consumer.commit_consumer_state(CommitMode::Sync) {
            tracing::debug!(error = %e, "offsets not committed at shutdown");
        }
    }

    /// Stores, per partition, the next offset to consume, for the next commit.
    fn store(&self, next: &BTreeMap<i32, i64>) {
        if next.is_empty() {
            return;
        }
        let mut offsets = TopicPartitionList::new();
        for (partition, next) in next {
            let added = offsets.add_partition_offset(
                &self.topics.commands,
                *partition,
                Offset::Offset(*next),
            );
            if let Err(e) = added {
                tracing::warn!(error = %e, partition, "offset not committed");
            }
        }
        // Not ours any more (rebalanced): its new owner consumes from the last commit and
        // replays from the ledger what this worker applied after it.
        if let Err(e) = self.consumer.store_offsets(&offsets) {
            tracing::debug!(error = %e, "offsets not stored");
        }
    }

    /// Takes what one poll returns, up to `batch_max` records; while the worker is busy,
    /// what arrives within the linger window too ([`crate::linger`]).
    fn poll_batch(&mut self, wait: Duration) -> Option<Polled> {
        let mut polled = Polled {
            inputs: Vec::new(),
            ranges: BTreeMap::new(),
        };
        let mut timeout = wait;
        let mut first = None;
        while polled.inputs.len() < self.batch_max {
            match self.consumer.poll(timeout) {
                None => break,
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "consumer error");
                    break;
                }
                Some(Ok(msg)) => {
                    self.metrics
                        .command_age
                        .observe_since(msg.timestamp().to_millis());
                    let entry = polled
                        .ranges
                        .entry(msg.partition())
                        .or_insert((msg.offset(), msg.offset()));
                    entry.1 = msg.offset() + 1;
                    polled.inputs.push(Input {
                        key: msg.key().map(<[u8]>::to_vec),
                        payload: msg.payload().map(<[u8]>::to_vec).unwrap_or_default(),
                    });
                    let first = *first.get_or_insert_with(Instant::now);
                    timeout = self.linger.remaining(first, Instant::now());
                }
            }
        }
        if polled.inputs.is_empty() {
            return None;
        }
        self.linger.taken(polled.inputs.len());
        Some(polled)
    }

    /// Applies the batch to Postgres and commits it.
    fn apply(&self, polled: &Polled) -> anyhow::Result<Prepared> {
        let mut conn = self.pool.get().context("connecting to Postgres")?;
        batch::apply_batch(&mut conn, &polled.inputs).context("applying the batch")
    }

    /// Moves the consumer back, per partition, to an offset to consume again from.
    fn rewind(&self, to: impl Iterator<Item = (i32, i64)>) {
        for (partition, first) in to {
            if let Err(e) = self.consumer.seek(
                &self.topics.commands,
                partition,
                Offset::Offset(first),
                Duration::from_secs(5),
            ) {
                // Not ours any more (rebalanced): its new owner starts from the committed offset.
                tracing::debug!(partition, error = %e, "rewind skipped");
            }
        }
    }
}
