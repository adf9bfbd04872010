//! `parley-admin`: the operator's command line. `audit` prints the trail; the moderation
//! commands publish a `moderate` command to the commands topic (applied and audited like
//! every other command) and wait for the worker's outcome.

pub mod moderate;
pub mod print;
pub mod since;

use clap::{Parser, Subcommand};
use parley_bus::KafkaArgs;
use secrecy::SecretString;

#[derive(Debug, Parser)]
#[command(
    name = "parley-admin",
    about = "Parley's operator tool: audit trail and moderation"
)]
pub struct AdminArgs {
    /// Postgres connection URL; never printed.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<SecretString>,

    #[command(flatten)]
    pub kafka: KafkaArgs,

    /// Who runs the command, recorded with each moderation action.
    #[arg(long, env = "PARLEY_OPERATOR", global = true)]
    pub operator: Option<String>,

    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Prints the audit trail, newest first.
    Audit {
        /// Only what this user did or had done to them (a username or a user id).
        #[arg(long)]
        user: Option<String>,
        /// How far back: `90s`, `15m`, `1h`, `7d`.
        #[arg(long, default_value = "1h", value_parser = since::parse)]
        since: chrono::Duration,
        /// Only these command kinds (`open_session`, `send_message`, `suspend_user`, ...).
        #[arg(long)]
        kind: Vec<String>,
        /// At most this many rows.
        #[arg(long, default_value_t = 200)]
        limit: i64,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Deletes a message whoever wrote it (it leaves a tombstone and leaves search).
    RemoveMessage {
        message_id: uuid::Uuid,
        #[arg(long)]
        reason: String,
    },
    /// Suspends an account: its sessions end and it cannot sign in.
    Suspend {
        username: String,
        #[arg(long)]
        reason: String,
    },
    /// Lifts a suspension.
    Reinstate {
        username: String,
        #[arg(long, default_value = "reinstated")]
        reason: String,
    },
    /// Closes a room for good: its members are told it is gone.
    CloseRoom {
        room_id: uuid::Uuid,
        #[arg(long)]
        reason: String,
    },
}
