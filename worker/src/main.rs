//! The `worker` binary: configuration from the environment, logs, signals, run.

#![warn(clippy::too_many_lines)]

use clap::Parser;
use parley_worker::WorkerConfig;
use tokio_util::sync::CancellationToken;

/// mimalloc instead of glibc's malloc: under load, perf put ~45 % of the worker's CPU in
/// glibc's allocator (mostly `malloc_consolidate` and frees of short-lived JSON values).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    parley_telemetry::process::init_tracing();
    let config = WorkerConfig::parse();
    let shutdown = CancellationToken::new();
    let signals = tokio::spawn(parley_telemetry::process::cancel_on_signal(
        shutdown.clone(),
    ));
    let result = parley_worker::run(config, shutdown).await;
    signals.abort();
    if let Err(e) = &result {
        tracing::error!(error = %format!("{e:#}"), "worker stopped");
    }
    result
}
