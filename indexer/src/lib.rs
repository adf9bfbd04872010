//! Parley's search indexer: an independent consumer group (`<prefix>.indexer`) on the
//! events topic. New and edited messages are indexed, deleted ones and the messages of a
//! deleted room leave the index. Offsets are committed only after the batch's
//! transaction, so a crash re-reads what was not committed; every write is idempotent.
//! Run as many as you like: they share the partitions.

#![warn(clippy::too_many_lines)]

pub mod apply;
pub mod config;
pub mod consume;
pub mod rebuild;

pub use config::IndexerConfig;

use anyhow::Context;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs the indexer until `shutdown`: topics and tables first (it runs the migrations
/// itself if the worker has not), the rebuild when asked, then the consumer on a blocking
/// thread.
pub async fn run(config: IndexerConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    parley_bus::admin::ensure_topics(&config.kafka)
        .await
        .context("creating topics")?;
    let pool = parley_db::pool::build_pool(&config.database_url, 2, Duration::from_secs(5))?;
    let migrate = pool.clone();
    tokio::task::spawn_blocking(move || parley_db::migrate::run_pending_on(&migrate)).await??;
    if config.rebuild {
        let p = pool.clone();
        tokio::task::spawn_blocking(move || rebuild::rebuild(&p)).await??;
    }
    let consumer = consume::Indexer::new(&config, pool)?;
    let stop = shutdown.clone();
    tokio::task::spawn_blocking(move || consumer.run(&stop)).await?
}
