//! How long Kafka records waited before being read: now minus the record's timestamp (set
//! by the producer, millisecond resolution), as a Prometheus histogram. The gateway
//! observes events, the worker commands; together they split a message's latency by hop.

use rdkafka::Message;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Upper bounds of the buckets, in milliseconds.
const BOUNDS_MS: [u64; 11] = [1, 2, 5, 10, 15, 25, 50, 100, 250, 1000, 5000];

#[derive(Default)]
pub struct AgeHistogram {
    /// Observations per bucket (not cumulative); the last is beyond every bound.
    buckets: [AtomicU64; BOUNDS_MS.len() + 1],
    count: AtomicU64,
    sum_ms: AtomicU64,
}

impl AgeHistogram {
    /// Observes the age of `msg`, if it carries a timestamp.
    pub fn observe<M: Message>(&self, msg: &M) {
        let Some(ts) = msg.timestamp().to_millis() else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.observe_ms(now.saturating_sub(ts));
    }

    /// Observes an age in milliseconds (a negative one, from clock steps, counts as 0).
    pub fn observe_ms(&self, ms: i64) {
        let ms = u64::try_from(ms).unwrap_or(0);
        let i = BOUNDS_MS
            .iter()
            .position(|b| ms <= *b)
            .unwrap_or(BOUNDS_MS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Appends the histogram as `name` (in seconds) in the Prometheus text format.
    pub fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, bucket) in BOUNDS_MS.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let le = *bound as f64 / 1000.0;
            let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_ms.load(Ordering::Relaxed) as f64 / 1000.0;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {count}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_cumulative_buckets_in_seconds() {
        let h = AgeHistogram::default();
        for ms in [0, 1, 3, 3, 40, 7000, -5] {
            h.observe_ms(ms);
        }
        let mut out = String::new();
        h.render(&mut out, "age_seconds", "Ages.");
        for line in [
            "# TYPE age_seconds histogram",
            "age_seconds_bucket{le=\"0.001\"} 3",
            "age_seconds_bucket{le=\"0.005\"} 5",
            "age_seconds_bucket{le=\"0.05\"} 6",
            "age_seconds_bucket{le=\"5\"} 6",
            "age_seconds_bucket{le=\"+Inf\"} 7",
            "age_seconds_sum 7.047",
            "age_seconds_count 7",
        ] {
            assert!(
                out.lines().any(|l| l == line),
                "{line} missing from:\n{out}"
            );
        }
    }
}
