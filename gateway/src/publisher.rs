//! Publishing commands to Kafka. A publish returns only after the broker acknowledged the
//! record from all in-sync replicas, so a `202` means the command is durable.

use crate::error::ApiError;
use parley_bus::{headers, KafkaArgs};
use parley_schema::command::CommandEnvelope;
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::time::Duration;

pub struct Publisher {
    producer: FutureProducer,
    topic: String,
}

impl Publisher {
    pub fn new(args: &KafkaArgs, gateway_id: &str) -> Result<Self, rdkafka::error::KafkaError> {
        let producer =
            parley_bus::client::producer(args, &format!("gateway-{gateway_id}")).create()?;
        Ok(Self {
            producer,
            topic: args.topics().commands,
        })
    }

    pub async fn publish(&self, env: &CommandEnvelope) -> Result<(), ApiError> {
        let payload = serde_json::to_vec(env).map_err(ApiError::Encode)?;
        let key = env.key();
        let record = FutureRecord::to(&self.topic)
            .key(&key)
            .payload(&payload)
            .headers(headers::with_request_id(env.request_id));
        self.producer
            .send(record, Duration::from_secs(5))
            .await
            .map(drop)
            .map_err(|(e, _)| ApiError::Kafka(e))
    }

    /// The underlying client, for readiness probes.
    pub fn client(&self) -> &FutureProducer {
        &self.producer
    }
}
