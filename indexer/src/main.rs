//! The `indexer` binary: configuration from the environment, logs, signals, run.

#![warn(clippy::too_many_lines)]

use clap::Parser;
use parley_indexer::IndexerConfig;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    parley_telemetry::process::init_tracing();
    let config = IndexerConfig::parse();
    let shutdown = CancellationToken::new();
    let signals = tokio::spawn(parley_telemetry::process::cancel_on_signal(
        shutdown.clone(),
    ));
    let result = parley_indexer::run(config, shutdown).await;
    signals.abort();
    if let Err(e) = &result {
        tracing::error!(error = %format!("{e:#}"), "indexer stopped");
    }
    result
}
