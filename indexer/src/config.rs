//! The indexer's configuration: every variable it reads, documented for `--help`.

use clap::Parser;
use parley_bus::KafkaArgs;
use secrecy::SecretString;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "indexer",
    about = "Parley indexer: keeps the message search index from the events topic"
)]
pub struct IndexerConfig {
    /// Postgres connection URL; never printed.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: SecretString,

    #[command(flatten)]
    pub kafka: KafkaArgs,

    /// Most events taken from one poll and indexed in one transaction.
    #[arg(long, env = "PARLEY_INDEXER_BATCH", default_value_t = 500)]
    pub batch_max: usize,

    /// Wipe the index and build it again from Postgres first, then index live as usual.
    /// Run it while no other indexer runs.
    #[arg(long)]
    pub rebuild: bool,

    /// A name for this indexer, in its Kafka `client.id` and logs; default is a random id.
    #[arg(long, env = "PARLEY_INDEXER_ID")]
    pub indexer_id: Option<String>,
}
