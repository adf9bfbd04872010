//! Delivery reports of the event producer, counted per batch.
//!
//! Each batch's records carry one [`Ticket`] as their delivery opaque. The producer's own
//! thread serves the reports (a `ThreadedProducer`) and counts each down on its ticket;
//! the pipeline never waits for a batch to be delivered before it applies the next one,
//! and it commits a batch's consumer offsets once its ticket is settled. Waiting, when it
//! must (too many batches in flight, shutdown), sleeps on a condition variable instead of
//! polling: polling in short slices once burned half the worker's CPU.

use parley_bus::context::LogContext;
use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::producer::{DeliveryResult, ProducerContext};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// One batch's records on their way to Kafka.
#[derive(Debug, Default)]
pub struct Ticket {
    pending: AtomicUsize,
    failed: AtomicBool,
}

impl Ticket {
    /// Every record is acknowledged (or failed): nothing of the batch is still pending.
    pub fn is_settled(&self) -> bool {
        self.pending.load(Ordering::Acquire) == 0
    }

    /// Some record was not delivered, or not accepted by the producer.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// Call before handing a record to the producer.
    pub fn sending(&self) {
        self.pending.fetch_add(1, Ordering::AcqRel);
    }

    /// Call when the producer did not take a record (it will get no delivery report).
    pub fn withdrawn(&self) {
        self.pending.fetch_sub(1, Ordering::AcqRel);
    }

    /// Call when a record could not be handed to the producer at all.
    pub fn fail(&self) {
        self.failed.store(true, Ordering::Release);
    }

    /// Counts one report; true when it was the last one pending.
    pub(crate) fn reported(&self, delivered: bool) -> bool {
        if !delivered {
            self.failed.store(true, Ordering::Release);
        }
        self.pending.fetch_sub(1, Ordering::AcqRel) == 1
    }
}

/// Logs like [`LogContext`] and settles tickets from the delivery reports.
#[derive(Default)]
pub struct DeliveryContext {
    log: LogContext,
    lock: Mutex<()>,
    settled: Condvar,
}

impl DeliveryContext {
    /// Waits until `ticket` is settled or `timeout` passes; true when settled.
    pub fn wait(&self, ticket: &Ticket, timeout: Duration) -> bool {
        let guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let _guard = self
            .settled
            .wait_timeout_while(guard, timeout, |()| !ticket.is_settled())
            .unwrap_or_else(PoisonError::into_inner);
        ticket.is_settled()
    }

    fn report(&self, ticket: &Ticket, delivered: bool) {
        if ticket.reported(delivered) {
            // Under the lock, so a waiter between its check and its wait is not missed.
            let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
            self.settled.notify_all();
        }
    }
}

impl ClientContext for DeliveryContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        self.log.log(level, fac, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.log.error(error, reason);
    }
}

impl ProducerContext for DeliveryContext {
    type DeliveryOpaque = Arc<Ticket>;

    fn delivery(&self, result: &DeliveryResult<'_>, ticket: Arc<Ticket>) {
        if let Err((e, _)) = result {
            tracing::warn!(error = %e, "event not delivered; the batch will be published again");
        }
        self.report(&ticket, result.is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_settles_when_every_record_is_reported_or_refused() {
        let ctx = Arc::new(DeliveryContext::default());
        let ticket = Arc::new(Ticket::default());
        assert!(ctx.wait(&ticket, Duration::ZERO), "nothing sent: settled");
        for _ in 0..3 {
            ticket.sending();
        }
        ticket.withdrawn();
        ticket.fail();
        assert!(!ctx.wait(&ticket, Duration::from_millis(10)), "two pending");
        let reporter = {
            let (ctx, ticket) = (Arc::clone(&ctx), Arc::clone(&ticket));
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                ctx.report(&ticket, true);
                ctx.report(&ticket, true);
            })
        };
        assert!(ctx.wait(&ticket, Duration::from_secs(10)));
        assert!(ticket.has_failed(), "a refused record fails the batch");
        let _ = reporter.join();
    }

    #[test]
    fn a_failed_delivery_fails_the_ticket() {
        let ctx = DeliveryContext::default();
        let ticket = Ticket::default();
        ticket.sending();
        ticket.sending();
        ctx.report(&ticket, true);
        assert!(!ticket.has_failed());
        ctx.report(&ticket, false);
        assert!(ticket.is_settled() && ticket.has_failed());
    }
}
