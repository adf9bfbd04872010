//! The `gateway` binary: configuration from the environment, logs, signals, serve.

use clap::Parser;
use parley_gateway::{Application, GatewayConfig};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    parley_bus::process::init_tracing();
    let config = GatewayConfig::parse();
    let shutdown = CancellationToken::new();
    let signals = tokio::spawn(parley_bus::process::cancel_on_signal(shutdown.clone()));
    let result = async {
        let app = Application::build(config, shutdown.clone()).await?;
        app.run_until_stopped().await
    }
    .await;
    signals.abort();
    if let Err(e) = &result {
        tracing::error!(error = %format!("{e:#}"), "gateway stopped");
    }
    result
}
