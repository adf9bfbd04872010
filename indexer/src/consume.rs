//! The indexer's consumer: polls a batch of events, applies it to the index in one
//! transaction, and only then stores the batch's offsets (committed in the background
//! every 200 ms and on close). A batch that fails is read again from its first offsets.

use crate::apply::{self, Action};
use crate::config::IndexerConfig;
use anyhow::Context;
use parley_db::PgPool;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const POLL: Duration = Duration::from_millis(100);
const RETRY: Duration = Duration::from_secs(1);

pub struct Indexer {
    consumer: BaseConsumer,
    pool: PgPool,
    topic: String,
    batch_max: usize,
}

impl Indexer {
    pub fn new(config: &IndexerConfig, pool: PgPool) -> anyhow::Result<Self> {
        let prefix = &config.kafka.topic_prefix;
        let id = (config.indexer_id.clone()).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let client_id = format!("{prefix}.indexer.{id}");
        let consumer: BaseConsumer =
            parley_bus::client::consumer(&config.kafka, &client_id, &format!("{prefix}.indexer"))
                .set("enable.auto.commit", "true")
                .set("auto.commit.interval.ms", "200")
                .create()
                .context("creating the events consumer")?;
        let topic = config.kafka.topics().events;
        parley_bus::admin::await_topic(&consumer, &topic).context("waiting for the topic")?;
        consumer.subscribe(&[&topic]).context("subscribing")?;
        tracing::info!(%client_id, "indexer consuming {topic}");
        Ok(Self {
            consumer,
            pool,
            topic,
            batch_max: config.batch_max.max(1),
        })
    }

    /// Indexes until `shutdown`; offsets stored by then are committed on close.
    pub fn run(self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        while !shutdown.is_cancelled() {
            if let Err(e) = self.next_batch() {
                tracing::warn!(error = %format!("{e:#}"), "batch failed; reading it again");
                std::thread::sleep(RETRY);
            }
        }
        // Best effort: what is not committed here is indexed again (idempotently) by
        // whoever takes the partitions next.
        if let Err(e) = (self.consumer).commit_consumer_state(rdkafka::consumer::CommitMode::Sync) {
            tracing::info!(error = %e, "nothing committed on close");
        }
        tracing::info!("indexer stopped");
        Ok(())
    }

    /// Polls, applies and stores the offsets of one batch; on failure seeks back to the
    /// batch's first offsets so that it is read again.
    fn next_batch(&self) -> anyhow::Result<()> {
        let mut actions = Vec::new();
        // Per partition: (first offset, last offset) of this batch.
        let mut span: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
        let mut wait = POLL;
        while actions.len() < self.batch_max {
            let Some(polled) = self.consumer.poll(wait) else {
                break;
            };
            let record = polled.context("polling events")?;
            let p = record.partition();
            let entry = span.entry(p).or_insert((record.offset(), record.offset()));
            entry.1 = record.offset();
            actions.push(record.payload().map_or(Action::Skip, apply::action));
            wait = Duration::ZERO;
        }
        if span.is_empty() {
            return Ok(());
        }
        let applied = self
            .pool
            .get()
            .context("connecting to Postgres")
            .and_then(|mut c| apply::apply(&mut c, &actions).context("indexing"));
        match applied {
            Ok(n) => {
                let mut list = TopicPartitionList::new();
                for (p, (_, last)) in &span {
                    list.add_partition_offset(&self.topic, *p, Offset::Offset(last + 1))?;
                }
                self.consumer
                    .store_offsets(&list)
                    .context("storing offsets")?;
                tracing::debug!(events = actions.len(), indexed = n, "batch indexed");
                Ok(())
            }
            Err(e) => {
                for (p, (first, _)) in &span {
                    let at = Offset::Offset(*first);
                    if let Err(seek) =
                        self.consumer
                            .seek(&self.topic, *p, at, Duration::from_secs(5))
                    {
                        tracing::warn!(partition = p, error = %seek, "seeking back");
                    }
                }
                Err(e)
            }
        }
    }
}
