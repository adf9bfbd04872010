//! `parley-stack serve`: a worker and named gateways on a fresh database and topic prefix,
//! driven over stdin and stdout by the browser tests (`tests/browser/lib/system.mjs`).
//! Protocol: one JSON line once everything is ready ([`Started`]); then one command a
//! line on stdin (`stop-gateway NAME`, `start-gateway NAME`), each answered by one JSON
//! line ([`Reply`]). Closed stdin or a signal stops everything and drops the database.

use crate::signals::Signals;
use parley_kit::{free_port, Fresh, KitError, Proc, Services, Stack, StackPlan};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use tokio::io::{AsyncBufReadExt, BufReader};

#[derive(Serialize)]
struct Started {
    database: String,
    topic_prefix: String,
    log_dir: PathBuf,
    worker: ProcInfo,
    gateways: BTreeMap<String, ProcInfo>,
}

#[derive(Serialize)]
struct ProcInfo {
    url: Option<String>,
    pid: Option<u32>,
    log: PathBuf,
}

#[derive(Serialize)]
struct Reply {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub async fn serve(names: &[String], log_dir: PathBuf) -> anyhow::Result<i32> {
    let mut signals = Signals::new()?;
    let fresh = Fresh::create(&Services::from_env()).await?;
    let (database, topic_prefix) = (fresh.database.name.clone(), fresh.topic_prefix());
    let mut plan = StackPlan::new(crate::bins()?, &log_dir)
        .fresh(fresh)
        .worker("worker", &[])
        .indexer("indexer", &[])
        .audit("audit", &[])
        .own_groups();
    for name in names {
        plan = plan.gateway(&format!("gateway-{name}"), free_port()?);
    }
    let mut stack = tokio::select! {
        stack = plan.start() => stack?,
        code = signals.recv() => return Ok(code),
    };
    let info = |p: &Proc| ProcInfo {
        url: p.url().map(str::to_owned),
        pid: p.pid(),
        log: p.log().to_path_buf(),
    };
    let started = Started {
        database,
        topic_prefix,
        log_dir,
        worker: stack.workers.first().map(info).unwrap_or(ProcInfo {
            url: None,
            pid: None,
            log: PathBuf::new(),
        }),
        gateways: names
            .iter()
            .cloned()
            .zip(stack.gateways.iter().map(info))
            .collect(),
    };
    println!("{}", serde_json::to_string(&started)?);
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let code = loop {
        tokio::select! {
            code = signals.recv() => break code,
            line = lines.next_line() => match line {
                Ok(Some(line)) => {
                    let reply = match command(&mut stack, line.trim()).await {
                        Ok(()) => Reply { ok: true, error: None },
                        Err(e) => Reply { ok: false, error: Some(e.to_string()) },
                    };
                    println!("{}", serde_json::to_string(&reply)?);
                }
                _ => break 0,
            },
        }
    };
    stack.stop().await;
    Ok(code)
}

async fn command(stack: &mut Stack, line: &str) -> Result<(), KitError> {
    match line.split_once(' ') {
        Some(("stop-gateway", name)) => {
            let i = stack.gateway_index(&format!("gateway-{name}"))?;
            stack.stop_gateway(i).await
        }
        Some(("start-gateway", name)) => {
            let i = stack.gateway_index(&format!("gateway-{name}"))?;
            stack.restart_gateway(i).await
        }
        _ => Err(KitError::UnknownCommand(line.to_owned())),
    }
}
