//! `throughput`: N senders in R rooms send a fixed number of messages as fast as the
//! gateway accepts them (`--concurrency` requests in flight, closed loop), then the run
//! waits until every accepted message is persisted. Persistence is seen on one observer
//! stream per room (a member that never sends): the worker publishes a `message` event
//! only after its transaction commits. At the end each room's newest `seq` (gap-free,
//! starting at 1) gives the count Postgres holds, as a cross-check. Latency here runs from
//! the moment the request started, as there is no schedule.
//!
//! With `--rate`, the same messages are sent open loop at that rate instead (as in
//! `latency`), so latency counts from each send's scheduled time: this shows whether a
//! given rate is *sustained* (persisted as fast as it is offered), where the closed loop
//! shows the ceiling and, once sends outrun persistence, the age of the backlog.

use super::send::{self, SendStats, Target};
use super::{open_streams, progress, secs, Common};
use crate::api::Session;
use crate::listener::{self, Shared};
use crate::payload::RunClock;
use crate::report::Report;
use crate::setup;
use crate::stats::Samples;
use anyhow::bail;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,

    /// Rooms (each gets one observer stream).
    #[arg(long, default_value_t = 10)]
    pub rooms: usize,

    /// Sending users, spread evenly over the rooms. Start the gateway with a high
    /// PARLEY_SEND_RATE / PARLEY_SEND_BURST, or each sender is limited to its default rate.
    #[arg(long, default_value_t = 100)]
    pub senders: usize,

    /// Messages to send in total.
    #[arg(long, default_value_t = 50_000)]
    pub messages: u64,

    /// Send requests in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,

    /// Give up waiting for persistence after this many seconds without progress.
    #[arg(long, default_value_t = 10.0)]
    pub grace: f64,

    /// Send open loop at this many messages a second instead of as fast as the gateway
    /// answers (`--concurrency` is then unused); 0 means closed loop.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
}

struct Plan {
    senders: Vec<Session>,
    rooms: Vec<String>,
}

impl Target for Plan {
    /// Message `i` is sent by sender `i % N` to its room, `sender % R`.
    fn pick(&self, i: u64) -> (&Session, &str) {
        let s = (i % self.senders.len() as u64) as usize;
        (&self.senders[s], &self.rooms[s % self.rooms.len()])
    }
}

pub async fn run(args: Args) -> anyhow::Result<Report> {
    if args.rooms == 0 || args.senders < args.rooms || args.messages == 0 || args.rate < 0.0 {
        bail!("need --rooms >= 1, --senders >= --rooms, --messages >= 1 and --rate >= 0");
    }
    let apis = args.common.apis()?;
    setup::wait_ready(&apis).await?;
    let clock = RunClock::new(setup::run_tag());
    let (r, n, conc) = (args.rooms, args.senders, args.common.setup_concurrency);
    let setup_started = Instant::now();
    progress(format!("run {}: creating {} users", clock.tag, r + n));
    let mut users = setup::users(&apis, &clock.tag, r + n, conc).await?;
    let senders = users.split_off(r);
    let observers = users;
    progress(format!("creating {r} rooms"));
    let rooms: Vec<String> = stream::iter(0..r)
        .map(|room| {
            let members: Vec<&Session> = (room..n).step_by(r).map(|s| &senders[s]).collect();
            let (owner, name) = (&observers[room], format!("{} room {room}", clock.tag));
            async move { setup::room(owner, &name, &members, conc).await }
        })
        .buffered(conc.max(1))
        .try_collect()
        .await?;
    let shared = Shared::new(clock.clone(), 0);
    let handles = open_streams(&observers, &shared).await?;
    let setup_time = setup_started.elapsed();

    let plan = Arc::new(Plan { senders, rooms });
    let started = clock.now();
    let (stats, last_accept, mut accept) = if args.rate > 0.0 {
        progress(format!(
            "sending {} messages at {}/s",
            args.messages, args.rate
        ));
        let stats = send::open_loop(
            &clock,
            Arc::clone(&plan),
            started,
            args.rate,
            0..args.messages,
            0,
        )
        .await;
        let last = stats.last_accept();
        (stats, last, Samples::new())
    } else {
        progress(format!(
            "sending {} messages, {} in flight",
            args.messages, args.concurrency
        ));
        closed_loop(&clock, &plan, args.messages, args.concurrency).await
    };
    let accepted = stats.accepted();
    let accept_window = last_accept.saturating_sub(started);
    progress(format!(
        "{accepted} accepted in {:.2} s; waiting for persistence",
        accept_window.as_secs_f64()
    ));
    await_progress(
        &shared,
        accepted,
        Duration::from_secs_f64(args.grace.max(0.1)),
    )
    .await;
    let persist_window = shared.last_delivery().saturating_sub(started);
    let mut in_db = 0;
    for (i, room) in plan.rooms.iter().enumerate() {
        in_db += observers[i]
            .api
            .latest_seq(&observers[i].token, room)
            .await?;
    }
    let logs = listener::stop_all(&shared, handles).await;
    let t = listener::totals(&logs);
    let mut samples = listener::latencies(&logs);
    let per_s = |count: u64, d: Duration| count as f64 / d.as_secs_f64().max(1e-9);
    let accept = accept.percentiles();

    let mut report = send::report("throughput", &stats, &t, accepted);
    report.latency_of = "send to persisted";
    report.latency = samples.percentiles();
    report.throughput_per_s = per_s(t.delivered, persist_window);
    report.throughput_unit = "messages persisted";
    Ok(report
        .with("rooms", r)
        .with("senders", n)
        .with("concurrency", args.concurrency)
        .with("rate_per_s", args.rate)
        .with("max_send_lag_ms", secs(stats.max_lag()) * 1000.0)
        .with("accepted", accepted)
        .with("accepted_per_s", per_s(accepted, accept_window))
        .with("persisted_per_s", per_s(t.delivered, persist_window))
        .with("persisted_in_db", in_db)
        .with("accept_p50_ms", accept.map(|p| p.p50_ms))
        .with("accept_p99_ms", accept.map(|p| p.p99_ms))
        .with("duplicates", t.duplicates)
        .with("stream_drops", t.drops)
        .with("send_errors", stats.errors_by_kind())
        .with("setup_s", secs(setup_time))
        .with("run_tag", clock.tag.clone()))
}

/// Sends `count` messages with `concurrency` requests in flight. Returns the outcome
/// counts, when the last `202` came (on the run clock) and each request's time to answer.
async fn closed_loop(
    clock: &RunClock,
    plan: &Arc<Plan>,
    count: u64,
    concurrency: usize,
) -> (Arc<SendStats>, Duration, Samples) {
    let stats = Arc::new(SendStats::default());
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.max(1) {
        let (clock, plan, stats) = (clock.clone(), Arc::clone(plan), Arc::clone(&stats));
        let next = Arc::clone(&next);
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return times;
                }
                let (session, room) = plan.pick(i);
                let sent_at = clock.now();
                let body = clock.body(i, sent_at);
                let client_id = format!("{}-{i}", clock.tag);
                let outcome = session
                    .api
                    .send(&session.token, room, &body, &client_id)
                    .await;
                let done = clock.now();
                if matches!(outcome, Ok(202)) {
                    stats.accepted_at(done);
                }
                stats.record(&outcome);
                times.push(u64::try_from((done - sent_at).as_micros()).unwrap_or(u64::MAX));
            }
        }));
    }
    let mut samples = Samples::new();
    for w in workers {
        if let Ok(times) = w.await {
            samples.extend(times);
        }
    }
    let last = stats.last_accept();
    (stats, last, samples)
}

/// Waits until `expected` deliveries were recorded, or none came for `idle`.
async fn await_progress(shared: &Shared, expected: u64, idle: Duration) {
    let (mut seen, mut since) = (shared.delivered(), Instant::now());
    while seen < expected {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = shared.delivered();
        if now != seen {
            (seen, since) = (now, Instant::now());
        } else if since.elapsed() >= idle {
            progress(format!(
                "no progress for {idle:?}: {seen}/{expected} persisted"
            ));
            return;
        }
    }
}
