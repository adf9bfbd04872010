//! `fanout`: one room of N members, every member's stream open; messages sent open-loop
//! at a low rate by the members in turn. The figure is, per message, the time from its
//! scheduled send until the *last* other member has it; a message some member never got
//! counts its missing deliveries as lost and has no last-member time.

use super::send::{self, Target};
use super::{await_deliveries, open_streams, progress, secs, Common};
use crate::api::Session;
use crate::listener::{self, Shared, StreamLog};
use crate::payload::RunClock;
use crate::report::Report;
use crate::setup;
use crate::stats::Samples;
use anyhow::bail;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,

    /// Members of the room (each a user with one open stream).
    #[arg(long, default_value_t = 1000)]
    pub members: usize,

    /// Messages sent (measured).
    #[arg(long, default_value_t = 100)]
    pub messages: u64,

    /// Messages per second.
    #[arg(long, default_value_t = 10.0)]
    pub rate: f64,

    /// Messages sent first and not counted.
    #[arg(long, default_value_t = 5)]
    pub warmup: u64,

    /// Seconds to wait for outstanding deliveries after the last send returned.
    #[arg(long, default_value_t = 5.0)]
    pub grace: f64,
}

struct Room {
    sessions: Vec<Session>,
    id: String,
}

impl Target for Room {
    /// The members take turns, so no one comes near the per-user send limit.
    fn pick(&self, i: u64) -> (&Session, &str) {
        let s = (i % self.sessions.len() as u64) as usize;
        (&self.sessions[s], &self.id)
    }
}

pub async fn run(args: Args) -> anyhow::Result<Report> {
    if args.members < 2 || args.messages == 0 || args.rate <= 0.0 {
        bail!("need --members >= 2, --messages >= 1 and --rate > 0");
    }
    let apis = args.common.apis()?;
    setup::wait_ready(&apis).await?;
    let clock = RunClock::new(setup::run_tag());
    let n = args.members;
    let conc = args.common.setup_concurrency;
    let setup_started = Instant::now();
    progress(format!("run {}: creating {n} users", clock.tag));
    let sessions = setup::users(&apis, &clock.tag, n, conc).await?;
    progress("creating the room");
    let others: Vec<&Session> = sessions[1..].iter().collect();
    let id = setup::room(
        &sessions[0],
        &format!("{} fanout", clock.tag),
        &others,
        conc,
    )
    .await?;
    let shared = Shared::new(clock.clone(), args.warmup);
    progress(format!("opening {n} streams"));
    let handles = open_streams(&sessions, &shared).await?;
    let setup_time = setup_started.elapsed();

    let total = args.warmup + args.messages;
    let room = Arc::new(Room { sessions, id });
    let grace = Duration::from_secs_f64(args.grace.max(0.0));
    warm_up(&clock, &room, &shared, &args, grace).await;
    progress(format!(
        "sending {} messages at {}/s",
        args.messages, args.rate
    ));
    let start = clock.now() + Duration::from_millis(100);
    let measured = args.warmup..total;
    let stats = send::open_loop(&clock, room, start, args.rate, measured, args.warmup).await;
    let expected = stats.accepted() * (n as u64 - 1);
    if !await_deliveries(&shared, expected, grace).await {
        progress("grace period over: counting what has not arrived as lost");
    }
    let logs = listener::stop_all(&shared, handles).await;
    let t = listener::totals(&logs);
    let (mut last, mut every, complete) = last_member_times(&logs, n - 1);

    let mut report = send::report("fanout", &stats, &t, expected);
    report.latency_of = "send to last member";
    report.latency = last.percentiles();
    let window = args.messages as f64 / args.rate;
    report.throughput_per_s = t.delivered as f64 / window;
    report.throughput_unit = "deliveries";
    let every = every.percentiles();
    Ok(report
        .with("members", n)
        .with("rate_per_s", args.rate)
        .with("messages_complete", complete)
        .with("delivery_p50_ms", every.map(|p| p.p50_ms))
        .with("delivery_p99_ms", every.map(|p| p.p99_ms))
        .with("expected_deliveries", expected)
        .with("duplicates", t.duplicates)
        .with("stream_drops", t.drops)
        .with("send_errors", stats.errors_by_kind())
        .with("max_send_lag_ms", secs(stats.max_lag()) * 1000.0)
        .with("setup_s", secs(setup_time))
        .with("run_tag", clock.tag.clone()))
}

/// Sends the warm-up messages and waits until every member has them (or `grace` has
/// passed), so that the measured messages find the gateway settled: 1,000 streams opening
/// at once set off a burst of presence changes (each member told of every other), which
/// would otherwise be queued ahead of the first measured messages.
async fn warm_up(
    clock: &RunClock,
    room: &Arc<Room>,
    shared: &Shared,
    args: &Args,
    grace: Duration,
) {
    progress(format!("sending {} warm-up messages", args.warmup));
    let start = clock.now() + Duration::from_millis(100);
    let warm = args.warmup;
    // Counted in a SendStats of their own (from index 0), never in the run's.
    let stats = send::open_loop(clock, Arc::clone(room), start, args.rate, 0..warm, 0).await;
    let expected = stats.accepted() * (room.sessions.len() as u64 - 1);
    let deadline = Instant::now() + grace;
    while shared.warm.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Per message that reached all `receivers`: the latency of its last delivery. Also every
/// delivery's latency, and how many messages were complete.
fn last_member_times(logs: &[StreamLog], receivers: usize) -> (Samples, Samples, u64) {
    let mut per_message: HashMap<u64, (usize, u64)> = HashMap::new();
    let mut every = Samples::new();
    for d in logs.iter().flat_map(|l| &l.deliveries) {
        let e = per_message.entry(d.index).or_default();
        e.0 += 1;
        e.1 = e.1.max(d.latency_us);
        every.push_us(d.latency_us);
    }
    let mut last = Samples::new();
    let mut complete = 0;
    for (count, max) in per_message.into_values() {
        if count >= receivers {
            last.push_us(max);
            complete += 1;
        }
    }
    (last, every, complete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listener::Delivery;

    fn log(d: &[(u64, u64)]) -> StreamLog {
        StreamLog {
            deliveries: d
                .iter()
                .map(|&(index, latency_us)| Delivery { index, latency_us })
                .collect(),
            ..StreamLog::default()
        }
    }

    #[test]
    fn the_slowest_receiver_sets_a_messages_time() {
        let logs = [log(&[(0, 1000), (1, 5000)]), log(&[(0, 3000)])];
        let (mut last, mut every, complete) = last_member_times(&logs, 2);
        // Message 1 reached one of two receivers: not complete.
        assert_eq!(complete, 1);
        assert_eq!(last.percentiles().map(|p| p.max_ms), Some(3.0));
        assert_eq!(every.len(), 3);
        assert_eq!(every.percentiles().map(|p| p.max_ms), Some(5.0));
    }
}
