//! `typing`: R rooms of M members, every member's stream open, and every member typing:
//! each posts `POST /api/rooms/{id}/typing` every `--interval` seconds, the typists'
//! phases spread evenly over the interval. Every `typing` event a member's stream gets is
//! timed from its typist's last post. Also the cost to each gateway: its CPU while idle
//! with the streams open, then while the typing runs (gateways found by their listening
//! port on this machine), and the signals it read (`parley_signals_consumed`).

use super::{progress, secs, Common, RoomShape};
use crate::api::{metric_value, Api, Session};
use crate::report::Report;
use crate::stats::Samples;
use crate::{procfs, setup, sse};
use anyhow::bail;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,

    /// The rooms and their members (every member typing, in `typing`).
    #[command(flatten)]
    pub shape: RoomShape,

    /// Seconds between one typist's posts (the web client posts at most every 3 s).
    #[arg(long, default_value_t = 3.0)]
    pub interval: f64,

    /// Seconds of measured typing.
    #[arg(long, default_value_t = 30.0)]
    pub seconds: f64,

    /// Seconds of idle streams before the typing starts (the gateways' idle CPU).
    #[arg(long, default_value_t = 5.0)]
    pub idle: f64,
}

/// What the listeners share: when each typist last posted in each room, and the results.
#[derive(Default)]
struct Shared {
    posted: Mutex<HashMap<(String, String), Instant>>,
    samples: Mutex<Samples>,
    delivered: AtomicU64,
}

/// Reads one member's stream until `stop`, timing every `typing` event.
async fn listen(s: Session, shared: Arc<Shared>, stop: CancellationToken) -> anyhow::Result<()> {
    let mut body = s.api.events(&s.token, None).await?;
    let mut parser = sse::Parser::new();
    loop {
        let chunk = tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            c = body.next() => match c { Some(Ok(c)) => c, _ => return Ok(()) },
        };
        let now = Instant::now();
        for ev in parser
            .feed(&chunk)
            .into_iter()
            .filter(|e| e.name == "typing")
        {
            let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap_or_default();
            let key = (
                data["user"]["username"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                data["room_id"].as_str().unwrap_or_default().to_owned(),
            );
            let posted = shared.posted.lock().ok().and_then(|p| p.get(&key).copied());
            if let (Some(at), Ok(mut samples)) = (posted, shared.samples.lock()) {
                samples.push(now.saturating_duration_since(at));
                shared.delivered.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The pids of the gateways behind `apis` (by listening port), when they run here.
fn gateway_pids(apis: &[Api]) -> Vec<u32> {
    let port = |a: &Api| {
        a.base()
            .rsplit(':')
            .next()?
            .trim_end_matches('/')
            .parse()
            .ok()
    };
    apis.iter()
        .filter_map(port)
        .filter_map(|p: u16| procfs::listener_pid(p).ok())
        .collect()
}

fn cpu(pids: &[u32]) -> f64 {
    pids.iter()
        .filter_map(|p| procfs::cpu_seconds(*p).ok())
        .sum()
}

async fn signals_consumed(apis: &[Api]) -> f64 {
    let mut total = 0.0;
    for a in apis {
        let text = a.metrics().await.unwrap_or_default();
        total += metric_value(&text, "parley_signals_consumed_total").unwrap_or(0.0);
    }
    total
}

pub async fn run(args: Args) -> anyhow::Result<Report> {
    if args.shape.rooms == 0 || args.shape.members < 2 || args.interval < 2.0 || args.seconds <= 0.0
    {
        bail!("need --rooms >= 1, --members >= 2, --interval >= 2 (the gateway's limit) and --seconds > 0");
    }
    let apis = args.common.apis()?;
    setup::wait_ready(&apis).await?;
    let tag = setup::run_tag();
    let (r, m, conc) = (
        args.shape.rooms,
        args.shape.members,
        args.common.setup_concurrency,
    );
    progress(format!("run {tag}: creating {} users", r * m));
    let sessions = setup::users(&apis, &tag, r * m, conc).await?;
    progress(format!("creating {r} rooms"));
    let ids: Vec<String> = stream::iter(0..r)
        .map(|room| {
            let owner = &sessions[room * m];
            let members: Vec<&Session> = sessions[room * m + 1..(room + 1) * m].iter().collect();
            let name = format!("{tag} room {room}");
            async move { setup::room(owner, &name, &members, conc).await }
        })
        .buffered(conc.max(1))
        .try_collect()
        .await?;
    let shared = Arc::new(Shared::default());
    let stop = CancellationToken::new();
    progress(format!("opening {} streams", sessions.len()));
    let listeners: Vec<_> = sessions
        .iter()
        .map(|s| tokio::spawn(listen(s.clone(), Arc::clone(&shared), stop.clone())))
        .collect();
    let pids = gateway_pids(&apis);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_cpu0 = cpu(&pids);
    tokio::time::sleep(Duration::from_secs_f64(args.idle.max(0.1))).await;
    let idle_cpu = (cpu(&pids) - idle_cpu0) / args.idle.max(0.1);

    let n = sessions.len();
    progress(format!(
        "{n} typists, one post each every {} s, for {} s",
        args.interval, args.seconds
    ));
    let (cpu0, signals0) = (cpu(&pids), signals_consumed(&apis).await);
    let started = Instant::now();
    let posts = AtomicU64::new(0);
    let errors = AtomicU64::new(0);
    let interval = Duration::from_secs_f64(args.interval);
    stream::iter(0..n)
        .for_each_concurrent(None, |i| {
            let (s, room) = (&sessions[i], &ids[i / m]);
            let (shared, posts, errors) = (&shared, &posts, &errors);
            async move {
                let phase = interval.mul_f64(i as f64 / n as f64);
                let mut next = started + phase;
                while next < started + Duration::from_secs_f64(args.seconds) {
                    tokio::time::sleep_until(next.into()).await;
                    if let Ok(mut p) = shared.posted.lock() {
                        p.insert((s.username.clone(), room.clone()), Instant::now());
                    }
                    match s.api.typing(&s.token, room).await {
                        Ok(()) => posts.fetch_add(1, Ordering::Relaxed),
                        Err(_) => errors.fetch_add(1, Ordering::Relaxed),
                    };
                    next += interval;
                }
            }
        })
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let busy_cpu = (cpu(&pids) - cpu0) / elapsed;
    let signals = signals_consumed(&apis).await - signals0;
    stop.cancel();
    for l in listeners {
        let _ = l.await;
    }
    let posts = posts.load(Ordering::Relaxed);
    let expected = posts * (m as u64 - 1);
    let delivered = shared.delivered.load(Ordering::Relaxed);
    let mut report = Report::new("typing");
    report.sent = posts;
    report.delivered = delivered;
    report.lost = expected.saturating_sub(delivered);
    report.errors = errors.load(Ordering::Relaxed);
    report.latency_of = "typing post to delivery";
    report.latency = shared.samples.lock().ok().and_then(|mut s| s.percentiles());
    report.throughput_per_s = delivered as f64 / elapsed;
    report.throughput_unit = "typing deliveries";
    let per_gateway = |v: f64| crate::report::round3(v / pids.len().max(1) as f64);
    Ok(report
        .with("typists", n)
        .with("rooms", r)
        .with("members", m)
        .with("interval_s", args.interval)
        .with("posts_per_s", crate::report::round3(posts as f64 / elapsed))
        .with("expected_deliveries", expected)
        .with("gateways_measured", pids.len())
        .with("gateway_cpu_idle_per_gateway", per_gateway(idle_cpu))
        .with("gateway_cpu_typing_per_gateway", per_gateway(busy_cpu))
        .with(
            "signals_read_per_s_per_gateway",
            per_gateway(signals / elapsed),
        )
        .with("seconds", secs(started.elapsed())))
}
