//! `signin-flood`: many concurrent bad logins from one address (the attacker) while
//! `/readyz` is polled from another and a real user logs in from a third. Reports how the
//! attacker was answered (429, 503, 401), the latency of `/readyz` during the flood and
//! of the real user's logins. Run it against a gateway with the default sign-in limits:
//! it measures them. The attacker's, prober's and user's addresses are loopback aliases.

use super::{progress, secs, Common};
use crate::api::Api;
use crate::report::Report;
use crate::stats::Samples;
use anyhow::bail;
use futures_util::future::join_all;
use serde_json::json;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,

    /// Concurrent bad logins, all sent at once.
    #[arg(long, default_value_t = 500)]
    pub attempts: usize,

    /// The attacker's source address.
    #[arg(long, default_value = "127.0.0.1")]
    pub attacker: IpAddr,

    /// The source address of the `/readyz` probe.
    #[arg(long, default_value = "127.0.0.2")]
    pub prober: IpAddr,

    /// The real user's source address.
    #[arg(long, default_value = "127.0.0.3")]
    pub user: IpAddr,

    /// The endpoint probed during the flood (`/healthz` tells the HTTP layer's share).
    #[arg(long, default_value = "/readyz")]
    pub probe: String,

    /// Logins of the real user during the flood, one after another.
    #[arg(long, default_value_t = 3)]
    pub user_logins: usize,
}

const PASSWORD: &str = "a real user's password";

pub async fn run(args: Args) -> anyhow::Result<Report> {
    let [url] = args.common.url.as_slice() else {
        bail!("need exactly one --url");
    };
    let api = |addr| Api::bound(addr, url);
    let (attacker, prober, user) = (api(args.attacker)?, api(args.prober)?, api(args.user)?);
    let name = format!("real{}", std::process::id());
    user.register(&name, PASSWORD).await?;
    progress(format!(
        "{} bad logins at once from {}",
        args.attempts, args.attacker
    ));

    let flooding = Arc::new(AtomicBool::new(true));
    // On a thread and runtime of its own, so the attacker's 500 requests in this process
    // do not delay the probe on the client side.
    let (stop, path) = (Arc::clone(&flooding), args.probe.clone());
    let probe = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        anyhow::Ok(rt.block_on(probe_health(prober, &path, stop)))
    });
    tokio::time::sleep(Duration::from_millis(50)).await; // its client is connected
    let started = Instant::now();
    let attacks = (0..args.attempts).map(|n| {
        let attacker = attacker.clone();
        async move { attacker.login_status(&format!("victim{n}"), "guess").await }
    });
    let real = async {
        let mut took = Samples::new();
        let mut failed = 0u64;
        tokio::time::sleep(Duration::from_millis(20)).await; // inside the flood
        for _ in 0..args.user_logins {
            let t = Instant::now();
            match user.login(&name, PASSWORD).await {
                Ok(_) => took.push(t.elapsed()),
                Err(_) => failed += 1,
            }
        }
        (took, failed)
    };
    let (answers, (mut logins, login_failures)) = tokio::join!(join_all(attacks), real);
    let flood = started.elapsed();
    flooding.store(false, Ordering::Relaxed);
    let (mut probed, probe_errors) = probe
        .join()
        .map_err(|_| anyhow::anyhow!("the readyz probe panicked"))??;

    let mut by_status = BTreeMap::new();
    for status in &answers {
        *by_status
            .entry(status.map_or("error".to_owned(), |s| s.to_string()))
            .or_insert(0u64) += 1;
    }
    let mut report = Report::new("signin-flood");
    report.sent = args.attempts as u64;
    report.errors = login_failures + probe_errors;
    report.delivered = logins.len() as u64;
    report.latency_of = "real user's login";
    report.latency = logins.percentiles();
    let probed = probed.percentiles();
    Ok(report
        .with("flood_s", secs(flood))
        .with("probe", args.probe)
        .with("attacker_answers", json!(by_status))
        .with("probes", probed.as_ref().map_or(0, |p| p.count))
        .with("probe_p50_ms", probed.as_ref().map(|p| p.p50_ms))
        .with("probe_p99_ms", probed.as_ref().map(|p| p.p99_ms))
        .with("probe_max_ms", probed.as_ref().map(|p| p.max_ms)))
}

/// `GET <path>` one after another until the flood ends: the latencies and the failures.
async fn probe_health(api: Api, path: &str, flooding: Arc<AtomicBool>) -> (Samples, u64) {
    let (mut took, mut failed) = (Samples::new(), 0);
    while flooding.load(Ordering::Relaxed) {
        let t = Instant::now();
        match api.probe(path).await {
            Ok(()) => took.push(t.elapsed()),
            Err(_) => failed += 1,
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (took, failed)
}
