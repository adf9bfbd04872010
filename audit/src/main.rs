//! The `audit` binary: configuration from the environment, logs, signals, run.

#![warn(clippy::too_many_lines)]

use clap::Parser;
use parley_audit::AuditConfig;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    parley_telemetry::process::init_tracing();
    let config = AuditConfig::parse();
    let shutdown = CancellationToken::new();
    let signals = tokio::spawn(parley_telemetry::process::cancel_on_signal(
        shutdown.clone(),
    ));
    let result = parley_audit::run(config, shutdown).await;
    signals.abort();
    if let Err(e) = &result {
        tracing::error!(error = %format!("{e:#}"), "audit stopped");
    }
    result
}
