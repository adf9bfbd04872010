//! What every handler shares.

use crate::authcache::AuthCache;
use crate::config::GatewayConfig;
use crate::events::Hub;
use crate::hashing::Hashing;
use crate::limits::Limiters;
use crate::metrics::Metrics;
use crate::places::PerAddress;
use crate::publisher::Publisher;
use crate::readiness::Dependencies;
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
    /// Writes per user, sign-ins per address and account.
    pub limits: Limiters,
    /// Password hashing, two at a time behind a bounded queue.
    pub hashing: Hashing,
    /// Whether Postgres and Kafka answered the last background check.
    pub dependencies: Dependencies,
    /// Open event streams per client address.
    pub addr_streams: Arc<PerAddress>,
    /// A password hash to verify against for unknown users (equal timing).
    pub dummy_hash: String,
    /// Typing and presence between gateways.
    pub signals: crate::signals::Signals,
}
