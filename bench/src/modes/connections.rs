//! `connections`: open N idle streams on one gateway and report its resident memory before
//! and after, as bytes per stream. Streams share users (`--streams-per-user`, like tabs of
//! one login sharing a session) so setup does not cost N Argon2 hashes. Each stream is its
//! own HTTP/1.1 connection; `--local-addrs` spreads them over several loopback source
//! addresses when one address runs out of ephemeral ports. The gateway's pid comes from
//! `--gateway-pid` or from whoever listens on the URL's port (a local gateway only).
//! `--setup-url` logs the users in through another gateway, so the measured one's memory
//! holds no leftovers of password hashing.

use super::{progress, secs, Common};
use crate::api::{self, Api, Session};
use crate::listener::{self, Shared};
use crate::payload::RunClock;
use crate::procfs;
use crate::report::Report;
use crate::setup;
use crate::stats::Samples;
use anyhow::{bail, Context};
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::net::IpAddr;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,

    /// Idle streams to open.
    #[arg(long, default_value_t = 1000)]
    pub streams: usize,

    /// Streams that share one user and session.
    #[arg(long, default_value_t = 10)]
    pub streams_per_user: usize,

    /// Gateway to register and log in the users through (default: --url). Logins hash
    /// passwords (Argon2id, 19 MiB each) and the allocator keeps that memory, which new
    /// streams then reuse: set this to another gateway to measure streams alone.
    #[arg(long)]
    pub setup_url: Option<String>,

    /// Streams being opened at once.
    #[arg(long, default_value_t = 200)]
    pub open_concurrency: usize,

    /// The gateway's process id (default: the process listening on the URL's port).
    #[arg(long)]
    pub gateway_pid: Option<u32>,

    /// Local source addresses for the streams, comma-separated (e.g.
    /// 127.0.0.1,127.0.0.2), used round-robin.
    #[arg(long, value_delimiter = ',')]
    pub local_addrs: Vec<IpAddr>,

    /// Seconds to wait after the last stream opened before reading memory.
    #[arg(long, default_value_t = 2.0)]
    pub settle: f64,

    /// Seconds to keep the streams open after measuring (streams that close meanwhile
    /// count as lost).
    #[arg(long, default_value_t = 0.0)]
    pub hold: f64,
}

pub async fn run(args: Args) -> anyhow::Result<Report> {
    if args.common.url.len() != 1 || args.streams == 0 || args.streams_per_user == 0 {
        bail!("need exactly one --url, --streams >= 1 and --streams-per-user >= 1");
    }
    let apis = args.common.apis()?;
    let base = apis[0].base().to_owned();
    let nofile = procfs::raise_nofile(args.streams as u64 + 4096)?;
    if nofile < args.streams as u64 + 64 {
        progress(format!(
            "warning: open-file limit {nofile} is below {} streams; raise it (ulimit -n)",
            args.streams
        ));
    }
    let pid = match args.gateway_pid {
        Some(pid) => Some(pid),
        None => match gateway_port(&base).and_then(procfs::listener_pid) {
            Ok(pid) => Some(pid),
            Err(e) => {
                progress(format!("gateway memory not measured: {e:#}"));
                None
            }
        },
    };
    setup::wait_ready(&apis).await?;
    let setup_apis = match &args.setup_url {
        Some(url) => vec![Api::new(api::http_client(None)?, url)],
        None => apis.clone(),
    };
    setup::wait_ready(&setup_apis).await?;
    let clock = RunClock::new(setup::run_tag());
    let users = args.streams.div_ceil(args.streams_per_user);
    let setup_started = Instant::now();
    progress(format!(
        "run {}: creating {users} users through {}",
        clock.tag,
        setup_apis[0].base()
    ));
    let conc = args.common.setup_concurrency;
    let sessions = setup::users(&setup_apis, &clock.tag, users, conc).await?;
    let setup_time = setup_started.elapsed();

    let clients: Vec<Api> = if args.local_addrs.is_empty() {
        vec![Api::new(api::http_client(None)?, &base)]
    } else {
        args.local_addrs
            .iter()
            .map(|a| Api::bound(*a, &base))
            .collect::<anyhow::Result<_>>()?
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = pid.map(procfs::rss_bytes).transpose()?;
    let open_before = streams_open(&apis[0]).await;

    progress(format!("opening {} streams", args.streams));
    let shared = Shared::new(clock.clone(), 0);
    let open_started = Instant::now();
    let mut handles = Vec::with_capacity(args.streams);
    let mut pending = FuturesUnordered::new();
    let (mut open_times, mut failed, mut first_error) = (Samples::new(), 0u64, None);
    for j in 0..args.streams {
        if pending.len() >= args.open_concurrency.max(1) {
            settle_one(&mut pending, &mut open_times, &mut failed, &mut first_error).await;
        }
        let user = &sessions[j % users];
        let session = Session {
            api: clients[j % clients.len()].clone(),
            ..user.clone()
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        handles.push(listener::spawn(session, shared.clone(), tx));
        pending.push(rx);
        if (j + 1).is_multiple_of(2000) {
            progress(format!("  {} streams requested", j + 1));
        }
    }
    while !pending.is_empty() {
        settle_one(&mut pending, &mut open_times, &mut failed, &mut first_error).await;
    }
    let open_time = open_started.elapsed();
    if let Some(e) = &first_error {
        progress(format!("{failed} streams failed to open; first: {e:#}"));
    }
    let opened = open_times.len() as u64;
    tokio::time::sleep(Duration::from_secs_f64(args.settle.max(0.0))).await;
    let rss_after = pid.map(procfs::rss_bytes).transpose()?;
    let open_after = streams_open(&apis[0]).await;
    let client_rss = procfs::rss_bytes(std::process::id()).ok();
    if args.hold > 0.0 {
        progress(format!("holding the streams for {} s", args.hold));
        tokio::time::sleep(Duration::from_secs_f64(args.hold)).await;
    }
    let logs = listener::stop_all(&shared, handles).await;
    let t = listener::totals(&logs);

    let per_stream = match (rss_before, rss_after) {
        (Some(b), Some(a)) if opened > 0 => Some(a.saturating_sub(b) as f64 / opened as f64),
        _ => None,
    };
    let mut report = Report::new("connections");
    report.sent = args.streams as u64;
    report.delivered = opened;
    report.lost = t.drops;
    report.errors = failed;
    report.latency_of = "stream open (request to ready)";
    report.latency = open_times.percentiles();
    report.throughput_per_s = opened as f64 / open_time.as_secs_f64().max(1e-9);
    report.throughput_unit = "streams opened";
    Ok(report
        .with("streams", args.streams)
        .with("users", users)
        .with("setup_url", setup_apis[0].base())
        .with("gateway_pid", pid)
        .with("rss_before_bytes", rss_before)
        .with("rss_after_bytes", rss_after)
        .with("bytes_per_stream", per_stream.map(|b| b.round()))
        .with("kib_per_stream", per_stream.map(|b| b / 1024.0))
        .with("metric_streams_open_before", open_before)
        .with("metric_streams_open_after", open_after)
        .with("client_rss_bytes", client_rss)
        .with("nofile_limit", nofile)
        .with("setup_s", secs(setup_time))
        .with("open_s", secs(open_time))
        .with("run_tag", clock.tag.clone()))
}

type Opened = tokio::sync::oneshot::Receiver<anyhow::Result<Duration>>;

/// Waits for one pending stream to open or fail, and counts it.
async fn settle_one(
    pending: &mut FuturesUnordered<Opened>,
    times: &mut Samples,
    failed: &mut u64,
    first_error: &mut Option<anyhow::Error>,
) {
    match pending.next().await {
        Some(Ok(Ok(d))) => times.push(d),
        Some(Ok(Err(e))) => {
            *failed += 1;
            first_error.get_or_insert(e);
        }
        Some(Err(_)) => *failed += 1,
        None => {}
    }
}

/// `parley_streams_open` from the gateway's `/metrics`, if it answers.
async fn streams_open(api: &Api) -> Option<i64> {
    let text = api.metrics().await.ok()?;
    api::metric_value(&text, "parley_streams_open").map(|v| v as i64)
}

fn gateway_port(base: &str) -> anyhow::Result<u16> {
    let url = reqwest::Url::parse(base).with_context(|| format!("parsing {base}"))?;
    url.port_or_known_default()
        .with_context(|| format!("{base} has no port"))
}
