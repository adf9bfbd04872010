//! How long Kafka records waited before being read: now minus the record's timestamp (set
//! by the producer, millisecond resolution), as a Prometheus histogram. The gateway
//! observes events, the worker commands; together they split a message's latency by hop.

use crate::histogram::Histogram;
use rdkafka::Message;
use std::time::{SystemTime, UNIX_EPOCH};

/// Upper bounds of the buckets, in milliseconds.
const BOUNDS_MS: [u64; 11] = [1, 2, 5, 10, 15, 25, 50, 100, 250, 1000, 5000];

/// Ages observed in milliseconds, rendered in seconds.
pub struct AgeHistogram(Histogram);

impl Default for AgeHistogram {
    fn default() -> Self {
        Self(Histogram::new(&BOUNDS_MS, 1000.0))
    }
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
        self.0.observe(u64::try_from(ms).unwrap_or(0));
    }

    /// Appends the histogram as `name` (in seconds) in the Prometheus text format.
    pub fn render(&self, out: &mut String, name: &str, help: &str) {
        self.0.render(out, name, help);
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
