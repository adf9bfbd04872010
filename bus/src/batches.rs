//! A consumer-group reader for the independent consumers of the log (the search indexer,
//! the audit trail): poll a batch, hand it to `apply`, and only once that succeeded store
//! the batch's offsets (committed in the background every 200 ms and on close). A batch
//! that fails is read again from its first offsets, so `apply` must be idempotent.

use crate::{BusError, KafkaArgs};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::fmt::Display;
use std::time::Duration;

const POLL: Duration = Duration::from_millis(100);
const RETRY: Duration = Duration::from_secs(1);
const SEEK: Duration = Duration::from_secs(5);

/// One record of a batch.
#[derive(Debug, Clone)]
pub struct Record {
    pub partition: i32,
    pub offset: i64,
    pub payload: Option<Vec<u8>>,
}

/// A subscribed consumer in group `group` on `topic`.
pub struct BatchConsumer {
    consumer: BaseConsumer,
    topic: String,
    batch_max: usize,
}

impl BatchConsumer {
    /// Joins `group` on `topic` (waiting for the topic to exist).
    pub fn new(
        kafka: &KafkaArgs,
        client_id: &str,
        group: &str,
        topic: String,
        batch_max: usize,
    ) -> Result<Self, BusError> {
        let consumer: BaseConsumer = crate::client::consumer(kafka, client_id, group)
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "200")
            .create()?;
        crate::admin::await_topic(&consumer, &topic)?;
        consumer.subscribe(&[&topic])?;
        tracing::info!(%client_id, %group, "consuming {topic}");
        Ok(Self {
            consumer,
            topic,
            batch_max: batch_max.max(1),
        })
    }

    /// Reads batches into `apply` until `stop` says so; offsets stored by then are
    /// committed on the way out.
    pub fn run<E: Display>(
        &self,
        stop: impl Fn() -> bool,
        mut apply: impl FnMut(&[Record]) -> Result<(), E>,
    ) {
        while !stop() {
            if let Err(e) = self.next_batch(&mut apply) {
                tracing::warn!(error = %e, "batch failed; reading it again");
                std::thread::sleep(RETRY);
            }
        }
        // Best effort: what is not committed here is applied again (idempotently) by
        // whoever takes the partitions next.
        if let Err(e) = self.consumer.commit_consumer_state(CommitMode::Sync) {
            tracing::info!(error = %e, "nothing committed on close");
        }
    }

    fn next_batch<E: Display>(
        &self,
        apply: &mut impl FnMut(&[Record]) -> Result<(), E>,
    ) -> Result<(), String> {
        let mut records = Vec::new();
        let mut wait = POLL;
        while records.len() < self.batch_max {
            let Some(polled) = self.consumer.poll(wait) else {
                break;
            };
            let m = polled.map_err(|e| format!("polling {}: {e}", self.topic))?;
            records.push(Record {
                partition: m.partition(),
                offset: m.offset(),
                payload: m.payload().map(<[u8]>::to_vec),
            });
            wait = Duration::ZERO;
        }
        if records.is_empty() {
            return Ok(());
        }
        // Per partition: (first offset, last offset) of this batch.
        let mut span: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
        for r in &records {
            span.entry(r.partition).or_insert((r.offset, r.offset)).1 = r.offset;
        }
        match apply(&records) {
            Ok(()) => self
                .store(&span)
                .map_err(|e| format!("storing offsets: {e}")),
            Err(e) => {
                for (p, (first, _)) in &span {
                    let at = Offset::Offset(*first);
                    if let Err(seek) = self.consumer.seek(&self.topic, *p, at, SEEK) {
                        tracing::warn!(partition = p, error = %seek, "seeking back");
                    }
                }
                Err(format!("{e:#}"))
            }
        }
    }

    fn store(&self, span: &BTreeMap<i32, (i64, i64)>) -> Result<(), BusError> {
        let mut list = TopicPartitionList::new();
        for (p, (_, last)) in span {
            list.add_partition_offset(&self.topic, *p, Offset::Offset(last + 1))?;
        }
        Ok(self.consumer.store_offsets(&list)?)
    }
}
