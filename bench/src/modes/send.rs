//! Sending messages. `open_loop` schedules send `i` at `start + i / rate` and spawns each
//! as its own task, so a slow response never delays the next send (no coordinated
//! omission); the body carries the *scheduled* time, so latency counts from when the send
//! was due. `SendStats` counts outcomes: `202` is accepted, anything else (a `429`
//! included) or a transport failure is an error.

use crate::api::Session;
use crate::listener::Totals;
use crate::payload::RunClock;
use crate::report::Report;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;

#[derive(Debug, Default)]
pub struct SendStats {
    pub attempted: AtomicU64,
    pub accepted: AtomicU64,
    /// Error counts by kind: the HTTP status, or `transport`.
    errors: Mutex<BTreeMap<String, u64>>,
    /// The largest delay between a send's scheduled time and its task starting, in µs:
    /// how far the generator itself fell behind.
    pub max_lag_us: AtomicU64,
    /// When the last `202` arrived, in ns on the run clock.
    last_accept_ns: AtomicU64,
}

impl SendStats {
    pub fn record(&self, outcome: &reqwest::Result<u16>) {
        self.attempted.fetch_add(1, Ordering::Relaxed);
        let kind = match outcome {
            Ok(202) => {
                self.accepted.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(status) => status.to_string(),
            Err(e) if e.is_timeout() => "timeout".to_owned(),
            Err(_) => "transport".to_owned(),
        };
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        let count = errors.entry(kind).or_default();
        if *count == 0 {
            if let Err(e) = outcome {
                eprintln!("parley-bench: a send failed: {}", chain(e));
            }
        }
        *count += 1;
    }

    pub fn attempted(&self) -> u64 {
        self.attempted.load(Ordering::Relaxed)
    }

    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    pub fn errors(&self) -> u64 {
        self.attempted().saturating_sub(self.accepted())
    }

    /// Errors by kind, as a JSON object (`{"429": 3}`).
    pub fn errors_by_kind(&self) -> Value {
        let errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        Value::Object(
            errors
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(*v)))
                .collect(),
        )
    }

    /// Notes that a send was accepted at `at` on the run clock.
    pub fn accepted_at(&self, at: Duration) {
        let ns = u64::try_from(at.as_nanos()).unwrap_or(u64::MAX);
        self.last_accept_ns.fetch_max(ns, Ordering::Relaxed);
    }

    /// When the last `202` arrived, on the run clock.
    pub fn last_accept(&self) -> Duration {
        Duration::from_nanos(self.last_accept_ns.load(Ordering::Relaxed))
    }

    pub fn max_lag(&self) -> Duration {
        Duration::from_micros(self.max_lag_us.load(Ordering::Relaxed))
    }
}

/// A report of sends and the deliveries they made: `lost` is what of `expected` did not
/// arrive; `errors` counts failed sends, dropped streams and streams that failed.
pub fn report(mode: &'static str, stats: &SendStats, t: &Totals, expected: u64) -> Report {
    let mut report = Report::new(mode);
    report.sent = stats.attempted();
    report.delivered = t.delivered;
    report.lost = expected.saturating_sub(t.delivered);
    report.errors = stats.errors() + t.drops + t.failed;
    report
}

/// Who sends message `i`, and to which room.
pub trait Target: Send + Sync + 'static {
    fn pick(&self, i: u64) -> (&Session, &str);
}

/// An open-loop run of `count` sends at `rate` per second, the first due at `start` on
/// the run clock. Sends with an index below `measure_from` are warm-up: sent but not
/// counted. Returns when every send has its outcome.
pub async fn open_loop<T: Target>(
    clock: &RunClock,
    target: Arc<T>,
    start: Duration,
    rate: f64,
    indexes: std::ops::Range<u64>,
    measure_from: u64,
) -> Arc<SendStats> {
    let stats = Arc::new(SendStats::default());
    let mut tasks = JoinSet::new();
    let first = indexes.start;
    for i in indexes {
        let due = start + Duration::from_secs_f64((i - first) as f64 / rate);
        tokio::time::sleep_until(clock.at(due).into()).await;
        let (clock, target, stats) = (clock.clone(), Arc::clone(&target), Arc::clone(&stats));
        tasks.spawn(async move {
            let lag = clock.now().saturating_sub(due);
            let (session, room) = target.pick(i);
            let body = clock.body(i, due);
            let client_id = format!("{}-{i}", clock.tag);
            let outcome = session
                .api
                .send(&session.token, room, &body, &client_id)
                .await;
            if i >= measure_from {
                if matches!(outcome, Ok(202)) {
                    stats.accepted_at(clock.now());
                }
                stats.record(&outcome);
                let lag_us = u64::try_from(lag.as_micros()).unwrap_or(u64::MAX);
                stats.max_lag_us.fetch_max(lag_us, Ordering::Relaxed);
            }
        });
        // Reap finished sends as we go so the set stays small.
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    stats
}

/// An error with its causes, outermost first (`reqwest::Error` prints only itself).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let causes: Vec<String> = anyhow::Chain::new(e).map(ToString::to_string).collect();
    causes.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_202_is_accepted() {
        let s = SendStats::default();
        s.record(&Ok(202));
        s.record(&Ok(429));
        s.record(&Ok(429));
        s.record(&Ok(201));
        assert_eq!((s.attempted(), s.accepted(), s.errors()), (4, 1, 3));
        assert_eq!(s.errors_by_kind(), serde_json::json!({"429": 2, "201": 1}));
    }

    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("sending the request")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn an_error_prints_with_its_causes() {
        let inner = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        assert_eq!(chain(&Outer(inner)), "sending the request: reset by peer");
    }
}
