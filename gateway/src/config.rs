//! The gateway's configuration: every variable it reads, documented for `--help`.

use crate::limits::LimitsConfig;
use crate::peer::TrustedProxies;
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

    /// Seconds between keep-alive comments on idle streams. A client that went away is
    /// noticed at the second write after it went (a closed connection), or once data sent
    /// stays unacknowledged for 15 s (`TCP_USER_TIMEOUT`, a vanished one): within 30 s.
    #[arg(long, env = "PARLEY_KEEPALIVE_SECS", default_value_t = 10)]
    pub keep_alive_secs: u64,

    /// Streams this gateway holds at most. Past it a new stream is answered `503` with
    /// `Retry-After` (1-5 s, spread), and no open stream is evicted to make room.
    #[arg(long, env = "PARLEY_MAX_STREAMS", default_value_t = 100_000)]
    pub max_streams: usize,

    /// Seconds over which a stopping gateway (SIGTERM) ends its streams, each told by a
    /// `reconnect` event when to come back, so that they return to the other gateways
    /// spread out rather than in one spike. Keep it below the orchestrator's grace period.
    #[arg(long, env = "PARLEY_DRAIN_SECS", default_value_t = 5)]
    pub drain_secs: u64,

    /// A PEM certificate chain: with `PARLEY_TLS_KEY`, the gateway serves HTTPS (TLS 1.2
    /// and 1.3, rustls) with HTTP/2 and HTTP/1.1 on `PARLEY_LISTEN`, instead of plain HTTP.
    #[arg(long, env = "PARLEY_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,

    /// The PEM private key (PKCS#8, PKCS#1 or SEC1) of `PARLEY_TLS_CERT`; never printed.
    #[arg(long, env = "PARLEY_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,

    /// Seconds between this gateway's announcements of all its users' presence. A gateway
    /// silent for three of them is taken for dead and its users go offline (15 s by
    /// default, so within 30 s of a crash).
    #[arg(long, env = "PARLEY_PRESENCE_HEARTBEAT_SECS", default_value_t = 5)]
    pub presence_heartbeat_secs: u64,

    /// Mark the session cookie `Secure` (set when served over HTTPS).
    #[arg(long, env = "PARLEY_COOKIE_SECURE", default_value_t = false)]
    pub cookie_secure: bool,

    /// A session unused this many seconds ends (default 30 days). Use is noted at most
    /// every `min(300, this / 4)` seconds.
    #[arg(long, env = "PARLEY_SESSION_IDLE_SECS", default_value_t = 30 * 86_400)]
    pub session_idle_secs: u64,

    /// A session ends this many seconds after login, however much it is used (default 90
    /// days); also the cookie's `Max-Age`.
    #[arg(long, env = "PARLEY_SESSION_MAX_SECS", default_value_t = 90 * 86_400)]
    pub session_max_secs: u64,

    /// Seconds an authenticated session is trusted without asking Postgres again (logout
    /// and account deletion take effect at once regardless).
    #[arg(long, env = "PARLEY_AUTH_CACHE_SECS", default_value_t = 60)]
    pub auth_cache_secs: u64,

    #[command(flatten)]
    pub limits: LimitsConfig,

    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Host` are believed: a comma-
    /// separated list of addresses or CIDR networks (default: none).
    #[arg(long, env = "PARLEY_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,

    /// Serve `/metrics` on this address of its own instead (e.g. `127.0.0.1:9188`); then
    /// the main listener does not serve it at all.
    #[arg(long, env = "PARLEY_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,

    /// A bearer token that opens `/metrics` on the main listener to callers other than
    /// loopback ones; never printed.
    #[arg(long, env = "PARLEY_METRICS_TOKEN")]
    pub metrics_token: Option<SecretString>,

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
