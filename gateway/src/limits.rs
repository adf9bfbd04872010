//! Every per-key limit of the gateway, its settings and its limiters: writes per user,
//! logins and registrations per client address and per account. Defaults are far above
//! what a person does; they stop scripts. Each limit answers `429 rate_limited` with
//! `Retry-After`.

use crate::error::ApiError;
use crate::ratelimit::RateLimiter;
use parley_schema::UserId;
use std::net::IpAddr;

/// The limits' settings (`PARLEY_*`, documented in README and docs/api.md).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitsConfig {
    /// Messages a user may send per second (per gateway), on average.
    #[arg(long, env = "PARLEY_SEND_RATE", default_value_t = 10.0)]
    pub send_rate: f64,

    /// Messages a user may send at once before `PARLEY_SEND_RATE` applies.
    #[arg(long, env = "PARLEY_SEND_BURST", default_value_t = 30)]
    pub send_burst: u32,

    /// Other writes (profile, rooms, members, friends, read markers, saves, sessions) a
    /// user may make per second (per gateway), on average.
    #[arg(long, env = "PARLEY_WRITE_RATE", default_value_t = 5.0)]
    pub write_rate: f64,

    /// Other writes a user may make at once before `PARLEY_WRITE_RATE` applies.
    #[arg(long, env = "PARLEY_WRITE_BURST", default_value_t = 60)]
    pub write_burst: u32,

    /// Logins and registrations per second from one client address, on average.
    #[arg(long, env = "PARLEY_AUTH_ADDR_RATE", default_value_t = 1.0)]
    pub auth_addr_rate: f64,

    /// Logins and registrations from one client address at once.
    #[arg(long, env = "PARLEY_AUTH_ADDR_BURST", default_value_t = 20)]
    pub auth_addr_burst: u32,

    /// Login attempts per second on one account, from anywhere, on average.
    #[arg(long, env = "PARLEY_AUTH_ACCOUNT_RATE", default_value_t = 0.1)]
    pub auth_account_rate: f64,

    /// Login attempts on one account at once.
    #[arg(long, env = "PARLEY_AUTH_ACCOUNT_BURST", default_value_t = 10)]
    pub auth_account_burst: u32,

    /// Open event streams per session; past it the session's oldest stream is closed
    /// (with a `stream_closed` event), never the new one refused.
    #[arg(long, env = "PARLEY_STREAMS_PER_SESSION", default_value_t = 10)]
    pub streams_per_session: usize,

    /// Open event streams per user, across sessions; past it the oldest is closed.
    #[arg(long, env = "PARLEY_STREAMS_PER_USER", default_value_t = 30)]
    pub streams_per_user: usize,

    /// Open event streams per client address (per gateway); past it, `429 rate_limited`.
    #[arg(long, env = "PARLEY_STREAMS_PER_ADDRESS", default_value_t = 300)]
    pub streams_per_address: usize,

    /// Password hashes (running or waiting) one client address may have at once; past
    /// it, `429 rate_limited`, so one address cannot fill the queue before others.
    #[arg(long, env = "PARLEY_HASH_PER_ADDRESS", default_value_t = 2)]
    pub hash_per_address: usize,

    /// Password hashes that may wait for a core; past it, `503 unavailable`.
    #[arg(long, env = "PARLEY_HASH_QUEUE", default_value_t = 16)]
    pub hash_queue: usize,
}

/// The limiters built from [`LimitsConfig`].
pub struct Limiters {
    send: RateLimiter<UserId>,
    write: RateLimiter<UserId>,
    auth_addr: RateLimiter<IpAddr>,
    auth_account: RateLimiter<String>,
}

impl Limiters {
    pub fn new(c: &LimitsConfig) -> Self {
        Self {
            send: RateLimiter::new(c.send_rate, c.send_burst),
            write: RateLimiter::new(c.write_rate, c.write_burst),
            auth_addr: RateLimiter::new(c.auth_addr_rate, c.auth_addr_burst),
            auth_account: RateLimiter::new(c.auth_account_rate, c.auth_account_burst),
        }
    }

    /// One message send by `user`.
    pub fn send(&self, user: UserId) -> Result<(), ApiError> {
        self.send.check(&user).map_err(ApiError::rate_limited)
    }

    /// One write other than a send by `user`.
    pub fn write(&self, user: UserId) -> Result<(), ApiError> {
        self.write.check(&user).map_err(ApiError::rate_limited)
    }

    /// One login or registration from `addr` (unknown addresses share one bucket).
    pub fn auth_from(&self, addr: Option<IpAddr>) -> Result<(), ApiError> {
        let addr = addr.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        self.auth_addr.check(&addr).map_err(ApiError::rate_limited)
    }

    /// One login attempt on the account whose username key is `key`.
    pub fn login_to(&self, key: &str) -> Result<(), ApiError> {
        self.auth_account
            .check(&key.to_owned())
            .map_err(ApiError::rate_limited)
    }
}
