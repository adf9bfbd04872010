//! The audit consumer's configuration: every variable it reads, documented for `--help`.

use clap::Parser;
use parley_bus::KafkaArgs;
use secrecy::SecretString;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "audit",
    about = "Parley audit: writes every applied command's outcome to the audit trail"
)]
pub struct AuditConfig {
    /// Postgres connection URL; never printed.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: SecretString,

    #[command(flatten)]
    pub kafka: KafkaArgs,

    /// Most commands taken from one poll and written in one transaction.
    #[arg(long, env = "PARLEY_AUDIT_BATCH", default_value_t = 500)]
    pub batch_max: usize,

    /// Read the commands topic again from its start (what Kafka still holds) before going
    /// on live; rows already written stay as they are. Run it while no other audit
    /// consumer runs.
    #[arg(long)]
    pub rebuild: bool,

    /// A name for this consumer, in its Kafka `client.id` and logs; default is a random id.
    #[arg(long, env = "PARLEY_AUDIT_ID")]
    pub audit_id: Option<String>,
}
