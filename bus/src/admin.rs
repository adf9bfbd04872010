//! Topic creation at start-up: the commands and events topics with the configured
//! partitions and replication, and the one-partition dead-letter topic. Nothing here probes
//! reachability: `/readyz` asks the gateway's own producer for metadata.

use crate::{BusError, KafkaArgs};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::RDKafkaErrorCode;
use std::time::Duration;

/// Waits until `topic` has partitions, each with a leader, in `consumer`'s metadata, for up
/// to 30 s; returns how many. A topic just created may not have reached every broker:
/// a consumer that subscribes before it has would be assigned nothing, and would not look
/// again until its next metadata refresh (seen in the crash suite on a fresh cluster).
pub fn await_topic<C, T>(consumer: &T, topic: &str) -> Result<usize, BusError>
where
    C: rdkafka::consumer::ConsumerContext,
    T: rdkafka::consumer::Consumer<C>,
{
    let mut last = None;
    for _ in 0..60 {
        match consumer.fetch_metadata(Some(topic), Duration::from_secs(10)) {
            Ok(md) => {
                let found = md.topics().iter().find(|t| t.name() == topic);
                let ready = found
                    .filter(|t| t.error().is_none())
                    .map(|t| t.partitions());
                if let Some(ps) = ready.filter(|ps| !ps.is_empty()) {
                    if ps.iter().all(|p| p.leader() >= 0) {
                        return Ok(ps.len());
                    }
                }
            }
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Err(BusError::TopicNotReady {
        topic: topic.to_owned(),
        last: last.map(|e| e.to_string()).unwrap_or_default(),
    })
}

/// Creates Parley's topics when missing; existing topics are left as they are.
pub async fn ensure_topics(args: &KafkaArgs) -> Result<(), BusError> {
    let admin: AdminClient<DefaultClientContext> =
        crate::client::producer(args, "parley-admin").create()?;
    let topics = args.topics();
    let replication = || TopicReplication::Fixed(args.replication);
    let min_isr = if args.replication >= 3 { "2" } else { "1" };
    let new = [
        NewTopic::new(&topics.commands, args.partitions, replication())
            .set("min.insync.replicas", min_isr),
        // Events are what streams resume from; a day is far more than resume needs.
        NewTopic::new(&topics.events, args.partitions, replication())
            .set("min.insync.replicas", min_isr)
            .set("retention.ms", "86400000"),
        NewTopic::new(&topics.dlq, 1, replication()).set("min.insync.replicas", min_isr),
        // Typing and presence: read from the end by every gateway, never replayed; a
        // minute of retention (and segments rolled as often) keeps the log tiny.
        NewTopic::new(&topics.ephemeral, 1, replication())
            .set("retention.ms", "60000")
            .set("segment.ms", "60000"),
    ];
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    for result in admin.create_topics(new.iter(), &opts).await? {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => return Err(BusError::CreateTopic { topic, code }),
        }
    }
    tracing::info!(prefix = %args.topic_prefix, partitions = args.partitions, "topics ready");
    Ok(())
}
