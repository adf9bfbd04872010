//! How long Kafka records waited before being read: now minus the record's timestamp (set
//! by the producer, millisecond resolution), as a Prometheus histogram in seconds. The
//! gateway observes events, the worker commands; together they split a message's latency
//! by hop.

use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::{SystemTime, UNIX_EPOCH};

/// Upper bounds of the buckets, in seconds: 1 ms to 5 s.
const BOUNDS_S: [f64; 11] = [
    0.001, 0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
];

/// A handle on a registered record-age histogram.
#[derive(Clone, Debug)]
pub struct AgeHistogram(Histogram);

impl AgeHistogram {
    /// A new histogram, registered in `registry` as `name`.
    pub fn register(registry: &mut Registry, name: &str, help: &str) -> Self {
        let histogram = Histogram::new(BOUNDS_S);
        registry.register(name, help, histogram.clone());
        Self(histogram)
    }

    /// Observes the age of a record stamped `timestamp_ms` (milliseconds since the epoch,
    /// as `rdkafka`'s `Timestamp::to_millis` gives it); a record without one is skipped.
    pub fn observe_since(&self, timestamp_ms: Option<i64>) {
        let Some(ts) = timestamp_ms else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.observe_ms(now.saturating_sub(ts));
    }

    /// Observes an age in milliseconds (a negative one, from clock steps, counts as 0).
    /// Whole milliseconds divided by 1000 land on the same side of each bound as before
    /// the division: both are the nearest `f64` to the decimal.
    fn observe_ms(&self, ms: i64) {
        self.0.observe(ms.max(0) as f64 / 1000.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_cumulative_buckets_in_seconds() {
        let mut registry = Registry::default();
        let h = AgeHistogram::register(&mut registry, "age_seconds", "Ages");
        for ms in [0, 1, 3, 3, 40, 7000, -5] {
            h.observe_ms(ms);
        }
        h.observe_since(None);
        let out = crate::render(&registry);
        for line in [
            "# HELP age_seconds Ages.",
            "# TYPE age_seconds histogram",
            "age_seconds_bucket{le=\"0.001\"} 3",
            "age_seconds_bucket{le=\"0.005\"} 5",
            "age_seconds_bucket{le=\"0.05\"} 6",
            "age_seconds_bucket{le=\"5\"} 6",
            "age_seconds_bucket{le=\"+Inf\"} 7",
            "age_seconds_count 7",
        ] {
            assert!(
                out.lines().any(|l| l == line),
                "{line} missing from:\n{out}"
            );
        }
        let sum = out
            .lines()
            .find_map(|l| l.strip_prefix("age_seconds_sum "))
            .and_then(|v| v.parse::<f64>().ok());
        assert!(sum.is_some_and(|s| (s - 7.047).abs() < 1e-9), "{out}");
    }
}
