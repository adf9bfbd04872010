//! One member's event stream, as a task: open `GET /api/events`, report when `ready`
//! arrives, then record every `message` of this run that someone else sent: its latency
//! (arrival minus the send time in the body), once per message (repeats are counted as
//! duplicates). A stream that ends or fails while the run goes on is reopened with
//! `Last-Event-ID`, as a browser would, and counted as a drop. The task returns its log when
//! the run's stop token fires.

use crate::api::Session;
use crate::payload::{self, RunClock};
use crate::sse::{Event, Parser};
use crate::stats::Samples;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Attempts to open a stream before it counts as failed.
const OPEN_ATTEMPTS: u32 = 3;
const REOPEN_PAUSE: Duration = Duration::from_millis(200);

/// What every stream of a run shares.
#[derive(Debug)]
pub struct Shared {
    pub clock: RunClock,
    /// Messages with a lower index are warm-up: seen but not recorded.
    pub measure_from: u64,
    /// Deliveries recorded so far by all streams.
    pub delivered: AtomicU64,
    /// Deliveries of warm-up messages (not recorded) so far.
    pub warm: AtomicU64,
    /// When the last recorded delivery arrived, in nanoseconds on the run clock.
    pub last_delivery_ns: AtomicU64,
    pub stop: CancellationToken,
}

impl Shared {
    pub fn new(clock: RunClock, measure_from: u64) -> Arc<Self> {
        Arc::new(Self {
            clock,
            measure_from,
            delivered: AtomicU64::new(0),
            warm: AtomicU64::new(0),
            last_delivery_ns: AtomicU64::new(0),
            stop: CancellationToken::new(),
        })
    }

    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    pub fn last_delivery(&self) -> Duration {
        Duration::from_nanos(self.last_delivery_ns.load(Ordering::Relaxed))
    }
}

/// One recorded delivery.
#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    pub index: u64,
    pub latency_us: u64,
}

/// What one stream saw.
#[derive(Debug, Default)]
pub struct StreamLog {
    pub deliveries: Vec<Delivery>,
    pub duplicates: u64,
    /// Times the stream ended or failed after it had opened.
    pub drops: u64,
    /// Messages of this run that the member sent itself (not deliveries).
    pub own: u64,
    /// The stream never opened.
    pub failed: bool,
    pub last_error: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    body: String,
    author: Option<Author>,
}

#[derive(Deserialize)]
struct Author {
    username: String,
}

/// Starts the stream task; `opened` gets the time from request to `ready`, or the error.
pub fn spawn(
    session: Session,
    shared: Arc<Shared>,
    opened: oneshot::Sender<anyhow::Result<Duration>>,
) -> JoinHandle<StreamLog> {
    tokio::spawn(run(session, shared, opened))
}

enum Step {
    Chunk(Option<anyhow::Result<bytes::Bytes>>),
    Stop,
}

async fn run(
    session: Session,
    shared: Arc<Shared>,
    opened: oneshot::Sender<anyhow::Result<Duration>>,
) -> StreamLog {
    let mut state = State {
        log: StreamLog::default(),
        seen: HashSet::new(),
        opened: Some(opened),
        started: Instant::now(),
    };
    let mut last_id: Option<String> = None;
    let mut failed_opens = 0;
    while !shared.stop.is_cancelled() {
        state.started = Instant::now();
        let resp = tokio::select! {
            _ = shared.stop.cancelled() => break,
            r = session.api.events(&session.token, last_id.as_deref()) => r,
        };
        match resp {
            Ok(mut body) => {
                let mut parser = Parser::new();
                loop {
                    let step = tokio::select! {
                        biased;
                        _ = shared.stop.cancelled() => Step::Stop,
                        c = body.next() => Step::Chunk(c),
                    };
                    match step {
                        Step::Stop => return state.log,
                        Step::Chunk(Some(Ok(bytes))) => {
                            let now = shared.clock.now();
                            for ev in parser.feed(&bytes) {
                                state.handle(&ev, now, &session.username, &shared);
                            }
                        }
                        Step::Chunk(Some(Err(e))) => {
                            state.log.last_error = Some(format!("stream read: {e}"));
                            break;
                        }
                        Step::Chunk(None) => break,
                    }
                }
                if let Some(id) = parser.last_id() {
                    last_id = Some(id.to_owned());
                }
                if state.opened.is_none() {
                    state.log.drops += 1;
                } else {
                    failed_opens += 1;
                }
            }
            Err(e) => {
                state.log.last_error = Some(format!("{e:#}"));
                failed_opens += u32::from(state.opened.is_some());
                if state.opened.is_none() {
                    state.log.drops += 1;
                }
            }
        }
        if failed_opens >= OPEN_ATTEMPTS {
            if let Some(tx) = state.opened.take() {
                let why = state.log.last_error.clone().unwrap_or_default();
                let _ = tx.send(Err(anyhow::anyhow!("stream did not open: {why}")));
            }
            state.log.failed = true;
            break;
        }
        tokio::select! {
            _ = shared.stop.cancelled() => break,
            _ = tokio::time::sleep(REOPEN_PAUSE) => {}
        }
    }
    state.log
}

struct State {
    log: StreamLog,
    seen: HashSet<u64>,
    opened: Option<oneshot::Sender<anyhow::Result<Duration>>>,
    started: Instant,
}

impl State {
    fn handle(&mut self, ev: &Event, now: Duration, me: &str, shared: &Shared) {
        match ev.name.as_str() {
            "ready" => {
                if let Some(tx) = self.opened.take() {
                    let _ = tx.send(Ok(self.started.elapsed()));
                }
            }
            "message" => self.message(&ev.data, now, me, shared),
            _ => {}
        }
    }

    fn message(&mut self, data: &str, now: Duration, me: &str, shared: &Shared) {
        let Ok(msg) = serde_json::from_str::<Message>(data) else {
            return;
        };
        let Some((index, sent_at)) = payload::decode(&msg.body, &shared.clock.tag) else {
            return;
        };
        if msg.author.is_some_and(|a| a.username == me) {
            self.log.own += 1;
            return;
        }
        if !self.seen.insert(index) {
            self.log.duplicates += 1;
            return;
        }
        if index < shared.measure_from {
            shared.warm.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let latency = now.saturating_sub(sent_at);
        self.log.deliveries.push(Delivery {
            index,
            latency_us: u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        });
        shared.delivered.fetch_add(1, Ordering::Relaxed);
        let now_ns = u64::try_from(now.as_nanos()).unwrap_or(u64::MAX);
        shared.last_delivery_ns.fetch_max(now_ns, Ordering::Relaxed);
    }
}

/// Waits for every stream's `opened` report: the open times, and the errors.
pub async fn await_opened(
    receivers: Vec<oneshot::Receiver<anyhow::Result<Duration>>>,
) -> (Vec<Duration>, Vec<anyhow::Error>) {
    let mut times = Vec::with_capacity(receivers.len());
    let mut errors = Vec::new();
    for rx in receivers {
        match rx.await {
            Ok(Ok(d)) => times.push(d),
            Ok(Err(e)) => errors.push(e),
            Err(_) => errors.push(anyhow::anyhow!("stream task ended before it opened")),
        }
    }
    (times, errors)
}

/// Stops every stream and collects their logs.
pub async fn stop_all(shared: &Shared, handles: Vec<JoinHandle<StreamLog>>) -> Vec<StreamLog> {
    shared.stop.cancel();
    let mut logs = Vec::with_capacity(handles.len());
    for h in handles {
        logs.push(h.await.unwrap_or_else(|e| StreamLog {
            failed: true,
            last_error: Some(format!("stream task: {e}")),
            ..StreamLog::default()
        }));
    }
    logs
}

/// Totals over all stream logs.
#[derive(Debug, Default)]
pub struct Totals {
    pub delivered: u64,
    pub duplicates: u64,
    pub drops: u64,
    pub failed: u64,
}

/// Every delivery's latency, in µs.
pub fn latencies(logs: &[StreamLog]) -> Samples {
    let mut samples = Samples::new();
    for l in logs {
        samples.extend(l.deliveries.iter().map(|d| d.latency_us));
    }
    samples
}

pub fn totals(logs: &[StreamLog]) -> Totals {
    let mut t = Totals::default();
    for l in logs {
        t.delivered += l.deliveries.len() as u64;
        t.duplicates += l.duplicates;
        t.drops += l.drops;
        t.failed += u64::from(l.failed);
    }
    t
}
