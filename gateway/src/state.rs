//! What every handler shares.

use crate::authcache::AuthCache;
use crate::config::GatewayConfig;
use crate::events::Hub;
use crate::metrics::Metrics;
use crate::publisher::Publisher;
use crate::ratelimit::RateLimiter;
use crate::waiters::Waiters;
use parley_db::PgPool;
use std::sync::Arc;

pub struct AppState {
    pub config: Arc<GatewayConfig>,
    pub gateway_id: String,
    /// Read-only use: queries and authentication.
    pub db: PgPool,
    pub publisher: Publisher,
    pub hub: Arc<Hub>,
    pub waiters: Arc<Waiters>,
    pub auth_cache: AuthCache,
    pub metrics: Arc<Metrics>,
    /// Message sends per user.
    pub send_limiter: RateLimiter,
    /// A password hash to verify against for unknown users (equal timing).
    pub dummy_hash: String,
}
