//! The worker's consume-apply-publish loop.
//!
//! Order per batch: poll up to `batch_max` records; apply them to Postgres and commit;
//! then in one Kafka transaction ([`crate::txn`]) publish the events and dead letters and
//! the consumer offsets. A crash anywhere before the Kafka commit leaves the offsets where they were,
//! so the batch is consumed again; the ledger in Postgres turns the re-application into a
//! replay of the stored events, and the aborted Kafka transaction's events are never seen
//! by `read_committed` readers. Result: every command's events are seen exactly once.

use crate::batch::{self, Prepared};
use crate::config::WorkerConfig;
use crate::metrics::WorkerMetrics;
use crate::poison::Input;
use crate::txn::Publisher;
use anyhow::Context;
use backon::{BlockingRetryable, ExponentialBuilder};
use parley_bus::context::LogContext;
use parley_bus::Topics;
use parley_db::PgPool;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

/// Between failed batches: 100 ms, doubling up to 5 s, for as long as batches fail.
const BATCH_BACKOFF: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(100))
    .with_max_delay(Duration::from_secs(5))
    .without_max_times();

pub struct Pipeline {
    consumer: BaseConsumer<LogContext>,
    publisher: Publisher,
    pool: PgPool,
    topics: Topics,
    txn_id: String,
    batch_max: usize,
    metrics: Arc<WorkerMetrics>,
}

/// A polled batch: its records and, per partition, the first and next offsets.
struct Polled {
    inputs: Vec<Input>,
    ranges: BTreeMap<i32, (i64, i64)>,
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
        let txn_id = format!("{}.worker.{worker_id}", config.kafka.topic_prefix);
        let group = parley_bus::topics::worker_group(&config.kafka.topic_prefix);
        let consumer: BaseConsumer<LogContext> =
            parley_bus::client::consumer(&config.kafka, &txn_id, &group)
                // Feeds the lag gauge without a blocking watermark query: asking the broker
                // from this thread stalled consumption ~140 ms every time (measured).
                .set("statistics.interval.ms", "2000")
                .create_with_context(LogContext::with_lag(metrics.lag_gauge()))
                .context("creating the command consumer")?;
        consumer
            .subscribe(&[&topics.commands])
            .context("subscribing to commands")?;
        let publisher = Publisher::new(&config.kafka, &txn_id)?;
        Ok(Self {
            consumer,
            publisher,
            pool,
            topics,
            txn_id,
            batch_max: config.batch_max.max(1),
            metrics,
        })
    }

    /// Runs until `shutdown`; the batch in hand when it fires is finished and committed.
    pub fn run(mut self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        tracing::info!(txn_id = %self.txn_id, "worker consuming {}", self.topics.commands);
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
        tracing::info!("worker stopped");
        Ok(())
    }

    /// Polls and applies one batch; a failed one is rewound so that it is consumed again.
    /// Once `shutdown` fired it does nothing, so a pending retry ends the loop.
    fn next_batch(&mut self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        if shutdown.is_cancelled() {
            return Ok(());
        }
        let Some(polled) = self.poll_batch(Duration::from_millis(100)) else {
            return Ok(());
        };
        let started = Instant::now();
        let prepared = self.process(&polled).inspect_err(|_| {
            self.metrics.batch_failed();
            self.rewind(&polled);
        })?;
        self.metrics.batch_committed(polled.inputs.len());
        tracing::debug!(
            commands = polled.inputs.len(),
            applied = prepared.applied,
            replayed = prepared.replayed,
            events = prepared.events.len(),
            ms = started.elapsed().as_millis() as u64,
            "batch committed"
        );
        Ok(())
    }

    /// Takes what one poll returns, up to `batch_max` records.
    fn poll_batch(&self, wait: Duration) -> Option<Polled> {
        let mut polled = Polled {
            inputs: Vec::new(),
            ranges: BTreeMap::new(),
        };
        let mut timeout = wait;
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
                    timeout = Duration::ZERO;
                }
            }
        }
        (!polled.inputs.is_empty()).then_some(polled)
    }

    fn process(&mut self, polled: &Polled) -> anyhow::Result<Prepared> {
        let started = Instant::now();
        let prepared = {
            let mut conn = self.pool.get().context("connecting to Postgres")?;
            batch::apply_batch(&mut conn, &polled.inputs).context("applying the batch")?
        };
        let applied = started.elapsed();
        let mut offsets = TopicPartitionList::new();
        for (partition, (_, next)) in &polled.ranges {
            let (topic, next) = (&self.topics.commands, Offset::Offset(*next));
            offsets.add_partition_offset(topic, *partition, next)?;
        }
        let published = self
            .publisher
            .publish(&prepared, &offsets, || self.consumer.group_metadata());
        tracing::debug!(
            db_ms = applied.as_millis() as u64,
            kafka_ms = (started.elapsed() - applied).as_millis() as u64,
            "batch timing"
        );
        published?;
        Ok(prepared)
    }

    /// Moves the consumer back to the start of a failed batch so it is consumed again.
    fn rewind(&self, polled: &Polled) {
        for (partition, (first, _)) in &polled.ranges {
            if let Err(e) = self.consumer.seek(
                &self.topics.commands,
                *partition,
                Offset::Offset(*first),
                Duration::from_secs(5),
            ) {
                // Not ours any more (rebalanced): its new owner starts from the committed offset.
                tracing::debug!(partition, error = %e, "rewind skipped");
            }
        }
    }
}
