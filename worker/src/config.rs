//! The worker's configuration: every variable it reads, documented for `--help`.

use clap::Parser;
use parley_bus::KafkaArgs;
use secrecy::SecretString;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "worker",
    about = "Parley worker: applies commands from Kafka to Postgres and publishes their events"
)]
pub struct WorkerConfig {
    /// Postgres connection URL; never printed.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: SecretString,

    #[command(flatten)]
    pub kafka: KafkaArgs,

    /// Most commands taken from one poll and applied in one transaction.
    #[arg(long, env = "PARLEY_WORKER_BATCH", default_value_t = 500)]
    pub batch_max: usize,

    /// While the worker is busy (its last batch held at least 24 commands,
    /// `linger::BUSY_BATCH`), how long a batch stays open after its first command to gather more:
    /// fewer, larger transactions per command. At low rates batches never wait. 0: never.
    #[arg(long, env = "PARLEY_WORKER_LINGER_MS", default_value_t = 10)]
    pub batch_linger_ms: u64,

    /// Postgres connections the worker keeps.
    #[arg(long, env = "PARLEY_WORKER_DB_POOL", default_value_t = 2)]
    pub db_pool_size: u32,

    /// Address for the worker's Prometheus metrics (batch sizes, lag); unset: not served.
    #[arg(long, env = "PARLEY_WORKER_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,

    /// A name for this worker, in its Kafka `client.id` and logs; default is a random id
    /// per process.
    #[arg(long, env = "PARLEY_WORKER_ID")]
    pub worker_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_does_not_show_the_database_password() {
        let url = "postgres://parley:hunter2@localhost/parley";
        let config = WorkerConfig::parse_from([
            "worker",
            "--database-url",
            url,
            "--kafka-bootstrap-servers",
            "localhost:9092",
        ]);
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
