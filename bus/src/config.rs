//! Kafka settings from the environment, shared by both binaries (flattened into each
//! binary's clap config, so `--help` lists them).

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct KafkaArgs {
    /// Kafka bootstrap servers, comma-separated host:port list.
    #[arg(
        long,
        env = "KAFKA_BOOTSTRAP_SERVERS",
        default_value = "127.0.0.1:9092"
    )]
    pub kafka_bootstrap_servers: String,

    /// Prefix of Parley's topics: `<prefix>.commands`, `<prefix>.events`,
    /// `<prefix>.commands.dlq`.
    #[arg(long, env = "PARLEY_TOPIC_PREFIX", default_value = "parley")]
    pub topic_prefix: String,

    /// Partitions of the topics created at start-up (commands and events alike).
    #[arg(long, env = "PARLEY_PARTITIONS", default_value_t = 8)]
    pub partitions: i32,

    /// Replication factor of the topics created at start-up (3 on a three-broker cluster).
    #[arg(long, env = "PARLEY_REPLICATION", default_value_t = 1)]
    pub replication: i32,

    /// Producer `linger.ms`: how long a producer waits to fill a batch. Every message is
    /// produced twice on its way (command, event), so this adds to latency twice.
    #[arg(long, env = "PARLEY_KAFKA_LINGER_MS", default_value_t = 0)]
    pub linger_ms: u32,

    /// Consumer `fetch.wait.max.ms`: how long the broker may hold a fetch that has no data.
    /// New data answers a held fetch at once, so this adds
    /// no latency; a short wait only makes idle consumers poll. Measured with one gateway
    /// and one worker idle: Kafka used 16 % of a core at 5 ms, 5 % at 100 ms.
    #[arg(long, env = "PARLEY_KAFKA_FETCH_WAIT_MS", default_value_t = 100)]
    pub fetch_wait_ms: u32,
}

impl KafkaArgs {
    pub fn topics(&self) -> crate::Topics {
        crate::Topics::new(&self.topic_prefix)
    }
}
