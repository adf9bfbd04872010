//! The gateway's metrics, served in the Prometheus text format at `/metrics`.
//!
//! Each field is a handle on a metric registered in `registry` (`prometheus-client`): an
//! increment on a hot path is one atomic add.

use parley_telemetry::age::AgeHistogram;
use parley_telemetry::prometheus_client::metrics::counter::Counter;
use parley_telemetry::prometheus_client::metrics::family::Family;
use parley_telemetry::prometheus_client::metrics::gauge::Gauge;
use parley_telemetry::prometheus_client::registry::Registry;
use parley_telemetry::register;

/// The values of the `class` label of `parley_http_requests_total`.
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// How a stream started: the values of the `start` label of `parley_streams_started_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamStart {
    Fresh = 0,
    Resumed = 1,
    Reset = 2,
}

const STARTS: [&str; 3] = ["fresh", "resumed", "reset"];

pub struct Metrics {
    registry: Registry,
    /// One series per status class, in the order of `CLASSES`.
    http_requests: [Counter; 5],
    pub commands_in_flight: Gauge,
    pub streams_open: Gauge,
    /// Streams started, by how: `fresh`, `resumed` (from a cursor), `reset` (a cursor that
    /// could not be served). Their rate is the reconnect rate.
    streams_started: [Counter; 3],
    /// Streams refused at `PARLEY_MAX_STREAMS`.
    pub streams_refused_full: Counter,
    pub streams_closed_slow: Counter,
    pub events_consumed: Counter,
    pub events_delivered: Counter,
    pub events_undecodable: Counter,
    pub events_deduplicated: Counter,
    /// Typing and presence signals read from the ephemeral topic.
    pub signals_consumed: Counter,
    /// Typing signals queued on streams.
    pub signals_delivered: Counter,
    /// From a worker producing an event to this gateway consuming it.
    pub event_age: AgeHistogram,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut r = Registry::default();
        let requests: Family<[(&str, &str); 1], Counter> = register(
            &mut r,
            "parley_http_requests",
            "HTTP responses by status class",
        );
        // Created up front, so every class is exported (as 0) before its first response.
        let http_requests = CLASSES.map(|class| requests.get_or_create_owned(&[("class", class)]));
        let (streams_started, streams_refused_full) = stream_starts(&mut r);
        Self {
            http_requests,
            streams_started,
            streams_refused_full,
            commands_in_flight: register(
                &mut r,
                "parley_commands_in_flight",
                "Commands being published to Kafka",
            ),
            streams_open: register(&mut r, "parley_streams_open", "Open SSE streams"),
            streams_closed_slow: register(
                &mut r,
                "parley_streams_closed_slow",
                "Streams closed for falling too far behind",
            ),
            events_consumed: register(
                &mut r,
                "parley_events_consumed",
                "Events read from the events topic",
            ),
            events_delivered: register(
                &mut r,
                "parley_events_delivered",
                "Events handed to streams",
            ),
            events_undecodable: register(
                &mut r,
                "parley_events_undecodable",
                "Event records that did not decode",
            ),
            events_deduplicated: register(
                &mut r,
                "parley_events_deduplicated",
                "Events dropped as already routed",
            ),
            signals_consumed: register(
                &mut r,
                "parley_signals_consumed",
                "Typing and presence signals read from the ephemeral topic",
            ),
            signals_delivered: register(
                &mut r,
                "parley_signals_delivered",
                "Typing signals queued on streams",
            ),
            event_age: AgeHistogram::register(
                &mut r,
                "parley_event_age_seconds",
                "Time from a worker producing an event to this gateway consuming it",
            ),
            registry: r,
        }
    }
}

/// `parley_streams_started_total` by `start`, and `parley_streams_refused_full_total`.
fn stream_starts(r: &mut Registry) -> ([Counter; 3], Counter) {
    let started: Family<[(&str, &str); 1], Counter> = register(
        r,
        "parley_streams_started",
        "Event streams started, by how: fresh, resumed from a cursor, or reset",
    );
    let refused = register(
        r,
        "parley_streams_refused_full",
        "Event streams refused because the gateway held PARLEY_MAX_STREAMS",
    );
    let each = STARTS.map(|start| started.get_or_create_owned(&[("start", start)]));
    (each, refused)
}

impl Metrics {
    /// Counts a response by status class (1xx..5xx).
    pub fn count_response(&self, status: u16) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.http_requests[class].inc();
    }

    /// Counts a stream started `how`.
    pub fn count_stream_start(&self, how: StreamStart) {
        self.streams_started[how as usize].inc();
    }

    pub fn render(&self) -> String {
        parley_telemetry::render(&self.registry)
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
        m.count_stream_start(StreamStart::Resumed);
        m.events_consumed.inc();
        let text = m.render();
        assert!(text.contains("parley_http_requests_total{class=\"2xx\"} 1\n"));
        assert!(text.contains("parley_http_requests_total{class=\"4xx\"} 1\n"));
        assert!(text.contains("parley_http_requests_total{class=\"5xx\"} 0\n"));
        assert!(text.contains("# TYPE parley_streams_open gauge\nparley_streams_open 1\n"));
        assert!(text.contains("\nparley_events_consumed_total 1\n"));
        assert!(text.contains("parley_streams_started_total{start=\"resumed\"} 1\n"));
        assert!(text.contains("parley_streams_started_total{start=\"reset\"} 0\n"));
        assert!(text.contains("# HELP parley_streams_open Open SSE streams.\n"));
    }
}
