//! Parley's audit trail: an independent consumer group (`<prefix>.audit`) on the commands
//! topic. Each command is joined with its outcome in the worker's ledger (written in the
//! transaction that applied it) and appended to `audit_log`: when, who, the command kind,
//! the ids it touched (never message text or secrets), the status and the `request_id`.
//! Rows are keyed by the ledger's time and the `request_id`, so reading a command again
//! writes nothing new. `parley-admin` (the `admin` module) prints the trail and moderates.

#![warn(clippy::too_many_lines)]

pub mod admin;
pub mod config;
pub mod consume;
pub mod entry;
pub mod rebuild;

pub use config::AuditConfig;

use anyhow::Context;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs the audit consumer until `shutdown`: topics and tables first (it runs the
/// migrations itself if the worker has not), the rebuild when asked, then the consumer on
/// a blocking thread.
pub async fn run(config: AuditConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    parley_bus::admin::ensure_topics(&config.kafka)
        .await
        .context("creating topics")?;
    let pool = parley_db::pool::build_pool(&config.database_url, 2, Duration::from_secs(5))?;
    let migrate = pool.clone();
    tokio::task::spawn_blocking(move || parley_db::migrate::run_pending_on(&migrate)).await??;
    if config.rebuild {
        let kafka = config.kafka.clone();
        tokio::task::spawn_blocking(move || rebuild::rewind(&kafka)).await??;
    }
    let consumer = consume::Audit::new(&config, pool)?;
    let stop = shutdown.clone();
    tokio::task::spawn_blocking(move || consumer.run(&stop)).await?
}
