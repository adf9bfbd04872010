//! Kafka glue shared by the gateway and the worker: the one place that names topics,
//! sets client options, and creates topics at start-up.

pub mod admin;
pub mod age;
pub mod client;
pub mod config;
pub mod context;
pub mod headers;
pub mod histogram;
pub mod process;
pub mod topics;

pub use config::KafkaArgs;
pub use topics::Topics;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum BusError {
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error("creating topic {topic}: {code}")]
    CreateTopic {
        topic: String,
        #[source]
        code: rdkafka::types::RDKafkaErrorCode,
    },
}
