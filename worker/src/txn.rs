//! The producer side of a batch: one Kafka transaction publishes its events, its dead
//! letters and the consumer offsets that mark it consumed, all or nothing.

use crate::batch::Prepared;
use crate::delivery::DeliveryContext;
use crate::record::Output;
use anyhow::Context;
use backon::BlockingRetryable;
use parley_bus::{headers, KafkaArgs, Topics};
use rdkafka::consumer::ConsumerGroupMetadata;
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::producer::{BaseRecord, Producer, ThreadedProducer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::TopicPartitionList;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TXN_TIMEOUT: Duration = Duration::from_secs(10);

/// The worker's transactional producer, under its stable `transactional.id`.
pub struct Publisher {
    producer: Arc<ThreadedProducer<DeliveryContext>>,
    topics: Topics,
    kafka: KafkaArgs,
    txn_id: String,
}

impl Publisher {
    pub fn new(kafka: &KafkaArgs, txn_id: &str) -> anyhow::Result<Self> {
        Ok(Self {
            producer: new_producer(kafka, txn_id)?,
            topics: kafka.topics(),
            kafka: kafka.clone(),
            txn_id: txn_id.to_owned(),
        })
    }

    /// Publishes the batch's records and `offsets` in one Kafka transaction. On failure
    /// the transaction is aborted, or the producer replaced when it cannot be.
    pub fn publish(
        &mut self,
        prepared: &Prepared,
        offsets: &TopicPartitionList,
        group: impl Fn() -> Option<ConsumerGroupMetadata>,
    ) -> anyhow::Result<()> {
        let published = self.transaction(prepared, offsets, group);
        if let Err(e) = &published {
            // A call that never returned leaves the producer busy: no abort is possible.
            let stuck = matches!(e.downcast_ref(), Some(KafkaError::Canceled));
            if stuck || self.producer.abort_transaction(TXN_TIMEOUT).is_err() {
                // A fatal producer error (fenced, or state unknown): start afresh.
                self.producer = new_producer(&self.kafka, &self.txn_id)?;
            }
        }
        published
    }

    fn transaction(
        &self,
        prepared: &Prepared,
        offsets: &TopicPartitionList,
        group: impl Fn() -> Option<ConsumerGroupMetadata>,
    ) -> anyhow::Result<()> {
        self.producer.begin_transaction()?;
        for (topic, records) in [
            (&self.topics.events, &prepared.events),
            (&self.topics.dlq, &prepared.dead_letters),
        ] {
            for out in records {
                self.send(topic, out)?;
            }
        }
        retrying(|| {
            let group = group().ok_or(KafkaError::Canceled)?;
            send_offsets_bounded(&self.producer, offsets, group)
        })?;
        self.await_deliveries();
        // A commit that timed out may have happened: retrying it is the only way to learn
        // the outcome (aborting instead could replay a batch that did commit).
        retrying(|| self.producer.commit_transaction(TXN_TIMEOUT))?;
        Ok(())
    }

    /// Waits until every produced record is acknowledged, so that the flush inside
    /// `commit_transaction` returns at once (see `delivery`).
    fn await_deliveries(&self) {
        let deadline = Instant::now() + TXN_TIMEOUT;
        self.producer.context().wait_settled(TXN_TIMEOUT);
        // The report is counted before librdkafka frees its message, and the flush checks
        // the latter: wait out those few microseconds, or the flush sleeps 100 ms.
        while self.producer.in_flight_count() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(50));
        }
    }

    fn send(&self, topic: &str, out: &Output) -> anyhow::Result<()> {
        let headers = out.request_id.map(headers::with_request_id);
        let deliveries = self.producer.context();
        let attempt = || {
            let mut record = BaseRecord::to(topic).key(&out.key).payload(&out.payload);
            if let Some(h) = headers.clone() {
                record = record.headers(h);
            }
            deliveries.sending();
            self.producer.send(record).map_err(|(e, _)| {
                deliveries.refused();
                e
            })
        };
        // A full queue: the producer's thread is delivering, and room comes soon.
        use RDKafkaErrorCode::QueueFull;
        attempt
            .retry(std::iter::repeat(Duration::from_millis(5)))
            .when(|e| matches!(e, KafkaError::MessageProduction(QueueFull)))
            .call()
            .map_err(Into::into)
    }
}

/// `send_offsets_to_transaction` on a helper thread, given up on a little after its
/// timeout. librdkafka can block in it for good, past that timeout, when the group
/// coordinator it cached went away (seen in the crash suite after restarting the whole
/// Kafka cluster: the worker stuck there for minutes; confluentinc/librdkafka#5456,
/// #5511). Giving up fails the batch (`Canceled`, not retried); `process` then replaces
/// the producer, and the stuck call ends with the old one or never.
fn send_offsets_bounded(
    producer: &Arc<ThreadedProducer<DeliveryContext>>,
    offsets: &TopicPartitionList,
    group: ConsumerGroupMetadata,
) -> KafkaResult<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (producer, offsets) = (Arc::clone(producer), offsets.clone());
    std::thread::spawn(move || {
        let _ = tx.send(producer.send_offsets_to_transaction(&offsets, &group, TXN_TIMEOUT));
    });
    rx.recv_timeout(TXN_TIMEOUT + Duration::from_secs(2))
        .unwrap_or_else(|_| {
            tracing::warn!("send_offsets_to_transaction did not return; replacing the producer");
            Err(KafkaError::Canceled)
        })
}

fn new_producer(
    kafka: &KafkaArgs,
    txn_id: &str,
) -> anyhow::Result<Arc<ThreadedProducer<DeliveryContext>>> {
    let producer: ThreadedProducer<DeliveryContext> =
        parley_bus::client::transactional_producer(kafka, txn_id, txn_id)
            .create_with_context(DeliveryContext::default())
            .context("creating the event producer")?;
    producer
        .init_transactions(Duration::from_secs(30))
        .context("initialising Kafka transactions")?;
    Ok(Arc::new(producer))
}

/// Repeats a transactional call while librdkafka says the error is retriable: five more
/// tries, 200 ms, 400 ms, ... 1 s apart.
fn retrying(call: impl FnMut() -> KafkaResult<()>) -> KafkaResult<()> {
    call.retry((1..=5).map(|n| Duration::from_millis(200 * n)))
        .when(|e| matches!(e, KafkaError::Transaction(e) if e.is_retriable()))
        .notify(|e, d| {
            let tries = d.as_millis() / 200; // the delay before try n is n x 200 ms
            tracing::warn!(error = %e, tries, "retrying a transactional call");
        })
        .call()
}
