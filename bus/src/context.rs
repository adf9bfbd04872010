//! A client context that sends librdkafka's errors and rebalances to `tracing`.
//!
//! Reaching the end of a partition is reported by librdkafka as an "error" when
//! `enable.partition.eof` is on; it is routine for the gateway, so it is not logged.

use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;

#[derive(Debug, Clone, Copy, Default)]
pub struct LogContext;

impl ClientContext for LogContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        match level {
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => tracing::error!(target: "librdkafka", %fac, "{message}"),
            RDKafkaLogLevel::Warning => tracing::warn!(target: "librdkafka", %fac, "{message}"),
            RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info => {
                tracing::info!(target: "librdkafka", %fac, "{message}")
            }
            RDKafkaLogLevel::Debug => tracing::debug!(target: "librdkafka", %fac, "{message}"),
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if !matches!(error, KafkaError::PartitionEOF(_)) {
            tracing::warn!(target: "librdkafka", %error, "{reason}");
        }
    }
}

impl ConsumerContext for LogContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => tracing::info!(partitions = tpl.count(), "assigned"),
            Rebalance::Revoke(tpl) => tracing::info!(partitions = tpl.count(), "revoked"),
            Rebalance::Error(e) => tracing::warn!(error = %e, "rebalance error"),
        }
    }
}

impl rdkafka::producer::ProducerContext for LogContext {
    type DeliveryOpaque = ();

    /// Delivery failures surface through the transaction's commit, which fails as a whole.
    fn delivery(&self, _: &rdkafka::producer::DeliveryResult<'_>, _: Self::DeliveryOpaque) {}
}
