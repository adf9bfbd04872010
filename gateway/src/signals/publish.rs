//! Producing signals: fire and forget. A failure is logged and the signal dropped (the
//! next one repeats it).

use super::typing::Typists;
use super::Signal;
use parley_bus::KafkaArgs;
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::time::Duration;
use tokio::sync::Notify;

pub struct Signals {
    producer: FutureProducer,
    topic: String,
    /// Who typed where lately (the rate limit, and whom a send stops).
    pub typists: Typists,
    /// Woken when another gateway said hello: announce every user now.
    pub hello: Notify,
    /// Seconds between full announcements of this gateway's users.
    pub heartbeat: Duration,
}

impl Signals {
    pub fn new(
        args: &KafkaArgs,
        gateway_id: &str,
        heartbeat: Duration,
    ) -> Result<Self, rdkafka::error::KafkaError> {
        let client_id = format!("gateway-{gateway_id}-signals");
        Ok(Self {
            producer: parley_bus::client::ephemeral_producer(args, &client_id).create()?,
            topic: args.topics().ephemeral,
            typists: Typists::default(),
            hello: Notify::new(),
            heartbeat,
        })
    }

    /// Publishes `signal`; returns once the leader has it (or it failed, logged).
    pub async fn send(&self, signal: &Signal) {
        let Ok(payload) = serde_json::to_vec(signal) else {
            return;
        };
        let record: FutureRecord<'_, (), _> = FutureRecord::to(&self.topic).payload(&payload);
        if let Err((e, _)) = self.producer.send(record, Duration::from_secs(2)).await {
            tracing::warn!(error = %e, "ephemeral signal not sent");
        }
    }

    /// How long a gateway may stay silent before its users go offline.
    pub fn ttl(&self) -> Duration {
        self.heartbeat * 3
    }
}
