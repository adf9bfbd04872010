//! The gateway's configuration: every variable it reads, documented for `--help`.

use clap::Parser;
use parley_bus::KafkaArgs;
use secrecy::SecretString;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "gateway",
    about = "Parley gateway: HTTP API, SSE streams, commands to Kafka"
)]
pub struct GatewayConfig {
    /// Postgres connection URL (the gateway only reads); never printed.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: SecretString,

    #[command(flatten)]
    pub kafka: KafkaArgs,

    /// Address to listen on (use port 0 for any free port).
    #[arg(long, env = "PARLEY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Folder of the browser client served at `/`.
    #[arg(long, env = "PARLEY_STATIC_DIR", default_value = "static")]
    pub static_dir: String,

    /// Postgres connections the gateway keeps for reads and authentication.
    #[arg(long, env = "PARLEY_GATEWAY_DB_POOL", default_value_t = 8)]
    pub db_pool_size: u32,

    /// Seconds register, login and logout wait for their outcome before `504 timeout`.
    #[arg(long, env = "PARLEY_WAIT_TIMEOUT_SECS", default_value_t = 10)]
    pub wait_timeout_secs: u64,

    /// Events kept per events-topic partition for resuming streams (`Last-Event-ID`); the
    /// gateway also loads this many from Kafka at start-up, so resume survives a restart.
    #[arg(long, env = "PARLEY_REPLAY_PER_PARTITION", default_value_t = 5000)]
    pub replay_per_partition: usize,

    /// Events buffered per open stream; a stream further behind than this is closed (the
    /// client resumes from its last event id). It must absorb one worker batch's events
    /// for one user (a busy room's batch arrives at once); idle streams do not pay for it.
    #[arg(long, env = "PARLEY_STREAM_BUFFER", default_value_t = 1024)]
    pub stream_buffer: usize,

    /// Seconds between keep-alive comments on idle streams.
    #[arg(long, env = "PARLEY_KEEPALIVE_SECS", default_value_t = 15)]
    pub keep_alive_secs: u64,

    /// Mark the session cookie `Secure` (set when served over HTTPS).
    #[arg(long, env = "PARLEY_COOKIE_SECURE", default_value_t = false)]
    pub cookie_secure: bool,

    /// Seconds an authenticated session is trusted without asking Postgres again (logout
    /// and account deletion take effect at once regardless).
    #[arg(long, env = "PARLEY_AUTH_CACHE_SECS", default_value_t = 60)]
    pub auth_cache_secs: u64,

    /// Messages a user may send per second (per gateway), on average.
    #[arg(long, env = "PARLEY_SEND_RATE", default_value_t = 10.0)]
    pub send_rate: f64,

    /// Messages a user may send at once before `PARLEY_SEND_RATE` applies.
    #[arg(long, env = "PARLEY_SEND_BURST", default_value_t = 30)]
    pub send_burst: u32,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "PARLEY_HTTP_WORKERS")]
    pub http_workers: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_does_not_show_the_database_password() {
        let url = "postgres://parley:hunter2@localhost/parley";
        let config = GatewayConfig::parse_from([
            "gateway",
            "--database-url",
            url,
            "--kafka-bootstrap-servers",
            "localhost:9092",
        ]);
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
