//! `parley-stack run`: one worker, one search indexer, one audit consumer and one gateway on the developer's database and topics
//! (the environment as `scripts/services up` exports it), until Ctrl-C or SIGTERM, or until
//! either process exits. Prints `Parley is running at URL` once the gateway is ready.

use crate::signals::Signals;
use anyhow::bail;
use parley_kit::{paths, stack::reachable, StackPlan};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

const TAIL_LINES: usize = 30;

pub async fn run(listen: &str) -> anyhow::Result<i32> {
    let addr = reachable(listen);
    if in_use(&addr) {
        bail!("{addr} is already in use (another gateway?): stop it or set PARLEY_LISTEN");
    }
    let mut signals = Signals::new()?;
    let logs = paths::repo_root().join(".local/logs");
    let plan = StackPlan::new(crate::bins()?, &logs)
        .worker("worker", &[])
        .indexer("indexer", &[])
        .audit("audit", &[])
        .gateway_on("gateway", listen)
        .own_groups();
    let mut stack = tokio::select! {
        stack = plan.start() => stack?,
        code = signals.recv() => return Ok(code),
    };
    println!("Parley is running at http://{addr} (Ctrl-C stops it)");
    println!(
        "Logs: gateway.log, worker.log, indexer.log and audit.log in {}",
        logs.display()
    );
    let code = tokio::select! {
        code = signals.recv() => code,
        (name, status) = stack.wait_any_exit() => {
            let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
            let log = logs.join(format!("{name}.log"));
            eprintln!("---- last lines of {} ----", log.display());
            eprintln!("{}\n----", parley_kit::process::log_tail(&log, TAIL_LINES));
            eprintln!("run: error: the {name} exited ({status}) (log: {})", log.display());
            1
        }
    };
    stack.stop().await;
    eprintln!(
        "run: stopped the gateway, the worker, the indexer and the audit consumer; Postgres and Kafka keep running \
         (scripts/services down stops them)"
    );
    Ok(code)
}

/// Whether something already answers on `addr`.
fn in_use(addr: &str) -> bool {
    let Ok(mut addrs) = addr.to_socket_addrs() else {
        return false;
    };
    addrs.any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok())
}
