//! Parley's worker: consumes `<prefix>.commands` in a consumer group, applies each poll's
//! batch to Postgres in one transaction, publishes the events through an idempotent
//! producer, and commits the consumer offsets once Kafka has them.

#![warn(clippy::too_many_lines)]

pub mod apply;
pub mod backfill;
pub mod batch;
pub mod config;
pub mod delivery;
pub mod inflight;
pub mod linger;
pub mod metrics;
pub mod pipeline;
pub mod poison;
pub mod publish;
pub mod record;

pub use config::WorkerConfig;

use anyhow::Context;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs a worker until `shutdown` fires: topics and migrations first, then the pipeline
/// on a blocking thread (Diesel and the producer are synchronous).
pub async fn run(config: WorkerConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    parley_bus::admin::ensure_topics(&config.kafka)
        .await
        .context("creating topics")?;
    let pool = parley_db::pool::build_pool(
        &config.database_url,
        config.db_pool_size,
        Duration::from_secs(5),
    )?;
    let migrate_pool = pool.clone();
    let ran = tokio::task::spawn_blocking(move || -> anyhow::Result<(usize, usize)> {
        let mut conn = migrate_pool.get().context("connecting to Postgres")?;
        let ran = parley_db::migrate::run_pending(&mut conn)?;
        let skeletons = backfill::skeletons(&mut conn)?;
        Ok((ran, skeletons))
    })
    .await??;
    tracing::info!(migrations = ran.0, skeletons = ran.1, "database ready");

    let metrics = std::sync::Arc::new(metrics::WorkerMetrics::default());
    let server = match &config.metrics_listen {
        Some(addr) => {
            let listener =
                std::net::TcpListener::bind(addr).with_context(|| format!("binding {addr}"))?;
            let served = metrics::serve(listener, metrics.clone(), shutdown.clone());
            Some(tokio::spawn(served))
        }
        None => None,
    };
    let result = async {
        let pipeline = pipeline::Pipeline::new(&config, pool, metrics)?;
        let token = shutdown.clone();
        tokio::task::spawn_blocking(move || pipeline.run(&token)).await?
    }
    .await;
    // The metrics server stops with the pipeline, whether it ended or failed to start.
    shutdown.cancel();
    if let Some(server) = server {
        server.await?.context("serving worker metrics")?;
    }
    result
}
