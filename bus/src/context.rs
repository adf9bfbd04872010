//! A client context that sends librdkafka's errors and rebalances to `tracing`, and can
//! keep a consumer-lag gauge from librdkafka's statistics.
//!
//! Reaching the end of a partition is reported by librdkafka as an "error" when
//! `enable.partition.eof` is on; it is routine for the gateway, so it is not logged.

use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;
use rdkafka::statistics::Statistics;
use rdkafka::types::RDKafkaErrorCode;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct LogContext {
    lag: Option<Arc<AtomicI64>>,
}

impl LogContext {
    /// Also keeps `lag` at the records not yet consumed on the partitions this consumer
    /// fetches, from librdkafka's statistics (set `statistics.interval.ms`). Unlike asking
    /// the broker for watermarks, this never blocks the consumer's thread.
    pub fn with_lag(lag: Arc<AtomicI64>) -> Self {
        Self { lag: Some(lag) }
    }
}

/// Records not yet consumed, summed over the partitions being fetched: the broker's high
/// watermark minus the next offset for the application (or the committed offset before
/// the first record).
pub fn consumer_lag(stats: &Statistics) -> i64 {
    stats
        .topics
        .values()
        .flat_map(|t| t.partitions.values())
        .filter(|p| p.partition >= 0 && p.fetch_state == "active" && p.hi_offset >= 0)
        .filter_map(|p| {
            let at = [p.app_offset, p.committed_offset]
                .into_iter()
                .find(|o| *o >= 0)?;
            Some((p.hi_offset - at).max(0))
        })
        .sum()
}

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
        // The end of a partition is news, not trouble (consumers with
        // `enable.partition.eof` get it as an event, librdkafka also as a global error).
        let eof = matches!(
            error,
            KafkaError::PartitionEOF(_) | KafkaError::Global(RDKafkaErrorCode::PartitionEOF)
        );
        if !eof {
            tracing::warn!(target: "librdkafka", %error, "{reason}");
        }
    }

    fn stats(&self, statistics: Statistics) {
        if let Some(lag) = &self.lag {
            lag.store(consumer_lag(&statistics), Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::statistics::{Partition, Topic};

    fn partition(id: i32, state: &str, hi: i64, app: i64, committed: i64) -> (i32, Partition) {
        let p = Partition {
            partition: id,
            fetch_state: state.to_owned(),
            hi_offset: hi,
            app_offset: app,
            committed_offset: committed,
            ..Partition::default()
        };
        (id, p)
    }

    #[test]
    fn lag_sums_the_partitions_being_fetched() {
        let mut stats = Statistics::default();
        let topic = Topic {
            partitions: [
                partition(0, "active", 100, 90, 80), // 10 behind the app position
                partition(1, "active", 50, -1001, 45), // none consumed yet: committed
                partition(2, "active", 70, 75, 60),  // ahead of a stale watermark: 0
                partition(3, "none", 500, 0, 0),     // not ours
                partition(-1, "none", 9, 0, 0),      // librdkafka's unassigned queue
                partition(4, "active", -1, -1, -1),  // nothing known yet
            ]
            .into_iter()
            .collect(),
            ..Topic::default()
        };
        stats.topics.insert("t.commands".into(), topic);
        assert_eq!(consumer_lag(&stats), 15);
        let gauge = Arc::new(AtomicI64::new(-1));
        LogContext::with_lag(Arc::clone(&gauge)).stats(stats);
        assert_eq!(gauge.load(Ordering::Relaxed), 15);
    }
}
