//! The event producer: idempotent, not transactional. A batch's events and dead letters
//! are handed to it after the batch's Postgres commit and delivered in the background;
//! the batch's [`Ticket`] settles when Kafka has acknowledged all of them.
//!
//! Records never time out (`message.timeout.ms` 0): the producer retries through a broker
//! outage, so within a partition the acknowledged records are always a prefix of those
//! produced, in order. Only a fatal producer error fails a ticket; the producer is then
//! replaced and the batches in flight are published again (see `inflight`).

use crate::batch::Prepared;
use crate::delivery::{DeliveryContext, Ticket};
use crate::record::Output;
use anyhow::Context;
use backon::BlockingRetryable;
use parley_bus::{headers, KafkaArgs, Topics};
use rdkafka::error::KafkaError;
use rdkafka::producer::{BaseRecord, Producer, ThreadedProducer};
use rdkafka::types::RDKafkaErrorCode;
use std::sync::Arc;
use std::time::Duration;

pub struct Publisher {
    producer: ThreadedProducer<DeliveryContext>,
    topics: Topics,
    kafka: KafkaArgs,
    client_id: String,
}

impl Publisher {
    pub fn new(kafka: &KafkaArgs, client_id: &str) -> anyhow::Result<Self> {
        Ok(Self {
            producer: new_producer(kafka, client_id)?,
            topics: kafka.topics(),
            kafka: kafka.clone(),
            client_id: client_id.to_owned(),
        })
    }

    /// Hands the batch's records to the producer, in order; the returned ticket settles
    /// once all are acknowledged. A record the producer refuses fails the ticket.
    pub fn publish(&self, prepared: &Prepared) -> Arc<Ticket> {
        let ticket = Arc::new(Ticket::default());
        let topics = [
            (&self.topics.events, &prepared.events),
            (&self.topics.dlq, &prepared.dead_letters),
        ];
        'all: for (topic, records) in topics {
            for out in records {
                if let Err(e) = self.send(topic, out, &ticket) {
                    tracing::warn!(error = %e, "the event producer refused a record");
                    break 'all;
                }
            }
        }
        ticket
    }

    /// Waits until `ticket` settles or `timeout` passes; true when settled.
    pub fn wait(&self, ticket: &Ticket, timeout: Duration) -> bool {
        self.producer.context().wait(ticket, timeout)
    }

    /// A new producer in place of one that failed (its records in flight are given up).
    pub fn replace(&mut self) -> anyhow::Result<()> {
        self.producer = new_producer(&self.kafka, &self.client_id)?;
        Ok(())
    }

    fn send(&self, topic: &str, out: &Output, ticket: &Arc<Ticket>) -> Result<(), KafkaError> {
        let headers = out.request_id.map(headers::with_request_id);
        let attempt = || {
            let mut record = BaseRecord::with_opaque_to(topic, Arc::clone(ticket))
                .key(&out.key)
                .payload(&out.payload);
            if let Some(h) = headers.clone() {
                record = record.headers(h);
            }
            ticket.sending();
            self.producer.send(record).map_err(|(e, _)| {
                ticket.withdrawn();
                e
            })
        };
        // A full queue: the producer's thread is delivering, and room comes soon.
        use RDKafkaErrorCode::QueueFull;
        let result = attempt
            .retry(std::iter::repeat(Duration::from_millis(5)))
            .when(|e| matches!(e, KafkaError::MessageProduction(QueueFull)))
            .call();
        if result.is_err() {
            ticket.fail();
        }
        result
    }
}

fn new_producer(
    kafka: &KafkaArgs,
    client_id: &str,
) -> anyhow::Result<ThreadedProducer<DeliveryContext>> {
    parley_bus::client::event_producer(kafka, client_id)
        .create_with_context(DeliveryContext::default())
        .context("creating the event producer")
}
