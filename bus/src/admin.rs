//! Topic creation at start-up: the commands and events topics with the configured
//! partitions and replication, and the one-partition dead-letter topic. Nothing here probes
//! reachability: `/readyz` asks the gateway's own producer for metadata.

use crate::{BusError, KafkaArgs};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::RDKafkaErrorCode;
use std::time::Duration;

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
