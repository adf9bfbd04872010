//! The indexer's consumer: each batch of events is applied to the index in one
//! transaction before its offsets are stored (`parley_bus::batches`); a batch that fails
//! is read again.

use crate::apply::{self, Action};
use crate::config::IndexerConfig;
use anyhow::Context;
use parley_bus::batches::BatchConsumer;
use parley_db::PgPool;
use tokio_util::sync::CancellationToken;

pub struct Indexer {
    consumer: BatchConsumer,
    pool: PgPool,
}

impl Indexer {
    pub fn new(config: &IndexerConfig, pool: PgPool) -> anyhow::Result<Self> {
        let prefix = &config.kafka.topic_prefix;
        let id = (config.indexer_id.clone()).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let consumer = BatchConsumer::new(
            &config.kafka,
            &format!("{prefix}.indexer.{id}"),
            &format!("{prefix}.indexer"),
            config.kafka.topics().events,
            config.batch_max,
        )
        .context("joining the indexer group")?;
        Ok(Self { consumer, pool })
    }

    /// Indexes until `shutdown`.
    pub fn run(self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        self.consumer.run(
            || shutdown.is_cancelled(),
            |records| -> anyhow::Result<()> {
                let actions: Vec<Action> = (records.iter())
                    .map(|r| r.payload.as_deref().map_or(Action::Skip, apply::action))
                    .collect();
                let mut conn = self.pool.get().context("connecting to Postgres")?;
                let n = apply::apply(&mut conn, &actions).context("indexing")?;
                tracing::debug!(events = actions.len(), indexed = n, "batch indexed");
                Ok(())
            },
        );
        tracing::info!("indexer stopped");
        Ok(())
    }
}
