//! Waiting for the event producer's deliveries without polling in a loop.
//!
//! rust-rdkafka's `commit_transaction` first flushes, and its flush polls in 100 ms slices
//! that a delivery does not cut short: every commit took 100 ms longer than the broker
//! needed. Polling 1 ms at a time instead burned half the worker's CPU, because a poll
//! runs out its whole timeout and spins through the last partial millisecond. So the
//! producer's own thread serves the delivery reports (a `ThreadedProducer`), this context
//! counts them, and the pipeline sleeps on a condition variable until none is pending;
//! the flush inside the commit then finds nothing to wait for.

use parley_bus::context::LogContext;
use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::producer::{DeliveryResult, ProducerContext};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// Logs like [`LogContext`] and counts records sent but not yet reported delivered.
#[derive(Default)]
pub struct DeliveryContext {
    log: LogContext,
    pending: Mutex<u64>,
    settled: Condvar,
}

impl DeliveryContext {
    /// Call before handing a record to the producer.
    pub fn sending(&self) {
        *self.lock() += 1;
    }

    /// Call when the producer refused a record (it will get no delivery report).
    pub fn refused(&self) {
        self.settle_one();
    }

    /// Waits until every record sent has its delivery report, or `timeout` passes;
    /// true when none is pending.
    pub fn wait_settled(&self, timeout: Duration) -> bool {
        let (pending, _) = self
            .settled
            .wait_timeout_while(self.lock(), timeout, |pending| *pending > 0)
            .unwrap_or_else(PoisonError::into_inner);
        *pending == 0
    }

    fn settle_one(&self) {
        let mut pending = self.lock();
        *pending = pending.saturating_sub(1);
        if *pending == 0 {
            self.settled.notify_all();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, u64> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
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
    type DeliveryOpaque = ();

    /// A failed delivery also fails the transaction's commit, which is where it is handled.
    fn delivery(&self, _: &DeliveryResult<'_>, _: Self::DeliveryOpaque) {
        self.settle_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn settles_when_every_sent_record_is_reported_or_refused() {
        let ctx = Arc::new(DeliveryContext::default());
        assert!(ctx.wait_settled(Duration::ZERO), "nothing sent: settled");
        ctx.sending();
        ctx.sending();
        ctx.sending();
        ctx.refused();
        assert!(!ctx.wait_settled(Duration::from_millis(10)), "two pending");
        let reporter = {
            let ctx = Arc::clone(&ctx);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                ctx.settle_one();
                ctx.settle_one();
            })
        };
        assert!(ctx.wait_settled(Duration::from_secs(10)));
        let _ = reporter.join();
    }
}
