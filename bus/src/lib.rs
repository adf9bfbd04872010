//! Kafka glue shared by the gateway and the worker, and nothing else: the one place that
//! names topics, sets client options, and creates topics at start-up. Logs, signals and
//! metrics are `parley-telemetry`'s.

#![warn(clippy::too_many_lines)]

pub mod admin;
pub mod batches;
pub mod client;
pub mod config;
pub mod context;
pub mod headers;
pub mod topics;

pub use config::KafkaArgs;
pub use topics::Topics;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum BusError {
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error("topic {topic} has no partitions with leaders after 30 s ({last})")]
    TopicNotReady { topic: String, last: String },
    #[error("creating topic {topic}: {code}")]
    CreateTopic {
        topic: String,
        #[source]
        code: rdkafka::types::RDKafkaErrorCode,
    },
}
