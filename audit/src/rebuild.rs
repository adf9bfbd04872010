//! `audit --rebuild`: moves the audit group's committed offsets back to the start of what
//! the commands topic still holds, so the consumer reads it all again. Rows written before
//! stay (the table is append-only) and rows read again are not written twice.

use crate::consume::group;
use anyhow::Context;
use parley_bus::KafkaArgs;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);
const GROUP_GONE_WITHIN: Duration = Duration::from_secs(30);

/// Commits each partition's low watermark for the audit group. Kafka refuses a commit from
/// outside a live group, so this tries for `GROUP_GONE_WITHIN` (a consumer that was killed
/// leaves the group when its session times out) and then fails.
pub fn rewind(kafka: &KafkaArgs) -> anyhow::Result<()> {
    let group = group(&kafka.topic_prefix);
    let consumer: BaseConsumer =
        parley_bus::client::consumer(kafka, &format!("{group}.rebuild"), &group)
            .create()
            .context("creating the rebuild consumer")?;
    let topic = kafka.topics().commands;
    let metadata = consumer
        .fetch_metadata(Some(&topic), TIMEOUT)
        .context("reading the topic's partitions")?;
    let mut list = TopicPartitionList::new();
    for t in metadata.topics() {
        for p in t.partitions() {
            let (low, _) = consumer.fetch_watermarks(&topic, p.id(), TIMEOUT)?;
            list.add_partition_offset(&topic, p.id(), Offset::Offset(low))?;
        }
    }
    let deadline = Instant::now() + GROUP_GONE_WITHIN;
    while let Err(e) = consumer.commit(&list, CommitMode::Sync) {
        if Instant::now() > deadline {
            return Err(e).with_context(|| {
                format!("rewinding {group} (stop the other audit consumers first)")
            });
        }
        tracing::info!(error = %e, "the audit group is still live; trying again");
        std::thread::sleep(Duration::from_secs(1));
    }
    tracing::info!(
        partitions = list.count(),
        "audit group rewound to the start of {topic}"
    );
    Ok(())
}
