//! `latency`: R rooms of M members, every member's stream open, messages sent open-loop at
//! a fixed total rate, spread round-robin over rooms and over each room's members (so each
//! user sends `rate / (R * M)` per second, far below the per-user limit). Every delivery to
//! every other member's stream is measured from the send's scheduled time.

use super::send::{self, Target};
use super::{await_deliveries, open_streams, progress, secs, Common, RoomShape};
use crate::api::Session;
use crate::listener::{self, Shared};
use crate::payload::RunClock;
use crate::report::Report;
use crate::setup;
use anyhow::bail;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,

    /// The rooms and their members (every member typing, in `typing`).
    #[command(flatten)]
    pub shape: RoomShape,

    /// Messages sent per second, in total.
    #[arg(long, default_value_t = 500.0)]
    pub rate: f64,

    /// Seconds of measured sending.
    #[arg(long, default_value_t = 30.0)]
    pub seconds: f64,

    /// Seconds of sending before the measured part (sent and delivered, not counted).
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,

    /// Seconds to wait for outstanding deliveries after the last send returned; what has
    /// not arrived by then is lost.
    #[arg(long, default_value_t = 5.0)]
    pub grace: f64,
}

struct Rooms {
    sessions: Vec<Session>,
    ids: Vec<String>,
    members: usize,
}

impl Target for Rooms {
    /// Message `i` goes to room `i % R`, from that room's member `(i / R) % M`.
    fn pick(&self, i: u64) -> (&Session, &str) {
        let r = (i % self.ids.len() as u64) as usize;
        let m = ((i / self.ids.len() as u64) % self.members as u64) as usize;
        (&self.sessions[r * self.members + m], &self.ids[r])
    }
}

pub async fn run(args: Args) -> anyhow::Result<Report> {
    if args.shape.rooms == 0 || args.shape.members < 2 || args.rate <= 0.0 || args.seconds <= 0.0 {
        bail!("need --rooms >= 1, --members >= 2, --rate > 0 and --seconds > 0");
    }
    let apis = args.common.apis()?;
    setup::wait_ready(&apis).await?;
    let clock = RunClock::new(setup::run_tag());
    let (r, m) = (args.shape.rooms, args.shape.members);
    let setup_started = Instant::now();
    progress(format!("run {}: creating {} users", clock.tag, r * m));
    let sessions = setup::users(&apis, &clock.tag, r * m, args.common.setup_concurrency).await?;
    progress(format!("creating {r} rooms"));
    let ids: Vec<String> = stream::iter(0..r)
        .map(|room| {
            let owner = &sessions[room * m];
            let members: Vec<&Session> = sessions[room * m + 1..(room + 1) * m].iter().collect();
            let name = format!("{} room {room}", clock.tag);
            let conc = args.common.setup_concurrency;
            async move { setup::room(owner, &name, &members, conc).await }
        })
        .buffered(args.common.setup_concurrency.max(1))
        .try_collect()
        .await?;
    let warm_n = (args.warmup.max(0.0) * args.rate).round() as u64;
    let total = warm_n + (args.seconds * args.rate).round() as u64;
    let shared = Shared::new(clock.clone(), warm_n);
    progress(format!("opening {} streams", sessions.len()));
    let handles = open_streams(&sessions, &shared).await?;
    let setup_time = setup_started.elapsed();

    progress(format!(
        "sending {total} messages at {}/s ({warm_n} warm-up)",
        args.rate
    ));
    let rooms = Arc::new(Rooms {
        sessions,
        ids,
        members: m,
    });
    let start = clock.now() + Duration::from_millis(100);
    let stats = send::open_loop(&clock, rooms, start, args.rate, 0..total, warm_n).await;
    let expected = stats.accepted() * (m as u64 - 1);
    let complete = await_deliveries(
        &shared,
        expected,
        Duration::from_secs_f64(args.grace.max(0.0)),
    )
    .await;
    if !complete {
        progress("grace period over: counting what has not arrived as lost");
    }
    let logs = listener::stop_all(&shared, handles).await;
    let t = listener::totals(&logs);
    let mut samples = listener::latencies(&logs);
    let mut report = send::report("latency", &stats, &t, expected);
    report.latency_of = "send to delivery";
    report.latency = samples.percentiles();
    report.throughput_per_s = t.delivered as f64 / args.seconds;
    report.throughput_unit = "deliveries";
    Ok(report
        .with("rooms", r)
        .with("members", m)
        .with("streams", logs.len())
        .with("rate_per_s", args.rate)
        .with("seconds", args.seconds)
        .with("warmup_s", args.warmup)
        .with("sent_per_s", stats.attempted() as f64 / args.seconds)
        .with("accepted", stats.accepted())
        .with("expected_deliveries", expected)
        .with("duplicates", t.duplicates)
        .with("stream_drops", t.drops)
        .with("send_errors", stats.errors_by_kind())
        .with("max_send_lag_ms", secs(stats.max_lag()) * 1000.0)
        .with("setup_s", secs(setup_time))
        .with("run_tag", clock.tag.clone()))
}
