//! Process metrics, rendered in the Prometheus text format at `/metrics`.
//!
//! Plain atomics: cheap on hot paths, and a handful of series does not need a registry.

use parley_bus::age::AgeHistogram;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.add(1);
    }
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    pub fn dec(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
    pub fn set(&self, v: i64) {
        self.0.store(v, Ordering::Relaxed);
    }
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Default)]
pub struct Metrics {
    pub http_requests: [Counter; 5],
    pub commands_in_flight: Gauge,
    pub streams_open: Gauge,
    pub streams_closed_slow: Counter,
    pub events_consumed: Counter,
    pub events_delivered: Counter,
    pub events_undecodable: Counter,
    pub events_deduplicated: Counter,
    /// From a worker producing an event to this gateway consuming it (the worker's
    /// transaction commit included).
    pub event_age: AgeHistogram,
}

impl Metrics {
    /// Counts a response by status class (1xx..5xx).
    pub fn count_response(&self, status: u16) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.http_requests[class].inc();
    }

    pub fn render(&self) -> String {
        let mut out = String::with_capacity(1024);
        let _ = writeln!(
            out,
            "# HELP parley_http_requests_total HTTP responses by status class."
        );
        let _ = writeln!(out, "# TYPE parley_http_requests_total counter");
        for (i, c) in self.http_requests.iter().enumerate() {
            let _ = writeln!(
                out,
                "parley_http_requests_total{{class=\"{}xx\"}} {}",
                i + 1,
                c.get()
            );
        }
        let series: [(&str, &str, &str, String); 7] = [
            (
                "parley_commands_in_flight",
                "gauge",
                "Commands being published to Kafka.",
                self.commands_in_flight.get().to_string(),
            ),
            (
                "parley_streams_open",
                "gauge",
                "Open SSE streams.",
                self.streams_open.get().to_string(),
            ),
            (
                "parley_streams_closed_slow_total",
                "counter",
                "Streams closed for falling too far behind.",
                self.streams_closed_slow.get().to_string(),
            ),
            (
                "parley_events_consumed_total",
                "counter",
                "Events read from the events topic.",
                self.events_consumed.get().to_string(),
            ),
            (
                "parley_events_delivered_total",
                "counter",
                "Events handed to streams.",
                self.events_delivered.get().to_string(),
            ),
            (
                "parley_events_undecodable_total",
                "counter",
                "Event records that did not decode.",
                self.events_undecodable.get().to_string(),
            ),
            (
                "parley_events_deduplicated_total",
                "counter",
                "Events dropped as already routed.",
                self.events_deduplicated.get().to_string(),
            ),
        ];
        for (name, kind, help, value) in series {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        self.event_age.render(
            &mut out,
            "parley_event_age_seconds",
            "Time from a worker producing an event to this gateway consuming it.",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.count_response(201);
        m.count_response(404);
        m.streams_open.inc();
        let text = m.render();
        assert!(text.contains("parley_http_requests_total{class=\"2xx\"} 1"));
        assert!(text.contains("parley_http_requests_total{class=\"4xx\"} 1"));
        assert!(text.contains("parley_streams_open 1"));
    }
}
