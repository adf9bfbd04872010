//! The `gateway` binary: configuration from the environment, logs, signals, serve.

#![warn(clippy::too_many_lines)]

use clap::Parser;
use parley_gateway::{Application, GatewayConfig};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    return_large_allocations_to_the_os();
    parley_telemetry::process::init_tracing();
    let config = GatewayConfig::parse();
    let shutdown = CancellationToken::new();
    let signals = tokio::spawn(parley_telemetry::process::cancel_on_signal(
        shutdown.clone(),
    ));
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

/// Argon2 allocates 19 MiB per hash. glibc raises its mmap threshold after the first such
/// block is freed and then serves the next ones from per-thread arenas that it never
/// returns: measured, a gateway grew from 23 MB to over 3 GB after a few hundred logins.
/// A fixed threshold keeps every large block mmapped, so it goes back to the OS on free.
fn return_large_allocations_to_the_os() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; it is called once, before any thread
    // other than main exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
