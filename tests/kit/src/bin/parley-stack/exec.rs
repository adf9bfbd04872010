//! `parley-stack exec -- COMMAND`: a worker and a gateway on a fresh database, topic prefix
//! and port, COMMAND run against them (`PARLEY_URL` is the gateway), then everything
//! stopped and the database dropped. The benchmark smoke run is `exec -- bench/smoke.sh`.

use crate::signals::Signals;
use anyhow::Context;
use parley_kit::{free_port, Fresh, Services, StackPlan};
use std::path::PathBuf;

pub async fn exec(log_dir: PathBuf, command: &[String]) -> anyhow::Result<i32> {
    let (program, args) = command.split_first().context("no command to run")?;
    let mut signals = Signals::new()?;
    let fresh = Fresh::create(&Services::from_env()).await?;
    let plan = StackPlan::new(crate::bins()?, log_dir)
        .fresh(fresh)
        .worker("worker", &[])
        .indexer("indexer", &[])
        .audit("audit", &[])
        .gateway("gateway", free_port()?)
        .own_groups();
    let mut stack = tokio::select! {
        stack = plan.start() => stack?,
        code = signals.recv() => return Ok(code),
    };
    let spawned = tokio::process::Command::new(program)
        .args(args)
        .env("PARLEY_URL", stack.url(0))
        .kill_on_drop(true)
        .spawn();
    let code = match spawned {
        Err(e) => {
            eprintln!("parley-stack: error: could not run {program}: {e}");
            127
        }
        Ok(mut child) => tokio::select! {
            status = child.wait() => status.map_or(1, |s| s.code().unwrap_or(1)),
            code = signals.recv() => code,
        },
    };
    stack.stop().await;
    Ok(code)
}
