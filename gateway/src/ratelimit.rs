//! A keyed rate limit: `rate` a second on average, up to `burst` at once (governor's keyed
//! GCRA, which is a token bucket without a timer per key). Keys are users, client
//! addresses or account names (`crate::limits`).
//!
//! State lives in this gateway's memory: with N gateways behind a balancer a key's
//! effective limit is at most N times the configured one (documented in the README).

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::Quota;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::time::Duration;

/// Above this many remembered keys, the ones whose allowance is full again are forgotten,
/// so idle keys cost nothing.
const MAX_KEYS: usize = 100_000;

pub struct RateLimiter<K: Hash + Eq + Clone, C: Clock = DefaultClock> {
    inner: governor::RateLimiter<K, DefaultKeyedStateStore<K>, C, NoOpMiddleware<C::Instant>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(rate_per_sec: f64, burst: u32) -> Self {
        Self::with_clock(rate_per_sec, burst, DefaultClock::default())
    }
}

impl<K: Hash + Eq + Clone, C: Clock> RateLimiter<K, C> {
    fn with_clock(rate_per_sec: f64, burst: u32, clock: C) -> Self {
        // One message every `period`; at least 1 ns, at most 1000 s (a rate of 0.001).
        let period = Duration::from_secs_f64(1.0 / rate_per_sec.max(0.001));
        let quota = Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
        Self {
            inner: governor::RateLimiter::dashmap_with_clock(quota, clock),
        }
    }

    /// Takes one unit for `key`; when none is left, how long until one is.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        if self.inner.len() > MAX_KEYS {
            self.inner.retain_recent();
        }
        self.inner
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.inner.clock().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use parley_schema::UserId;

    #[test]
    fn a_burst_passes_then_the_rate_applies() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(2.0, 3, clock.clone());
        let user = UserId::new();
        for _ in 0..3 {
            assert!(limiter.check(&user).is_ok());
        }
        let wait = limiter.check(&user).err();
        assert_eq!(wait.map(|w| w.as_millis()), Some(500));
        clock.advance(Duration::from_millis(500));
        assert!(limiter.check(&user).is_ok());
    }

    #[test]
    fn users_have_their_own_buckets() {
        let limiter = RateLimiter::with_clock(1.0, 1, FakeRelativeClock::default());
        assert!(limiter.check(&UserId::new()).is_ok());
        assert!(limiter.check(&UserId::new()).is_ok());
    }

    #[test]
    fn a_zero_rate_still_lets_the_burst_through() {
        let limiter = RateLimiter::with_clock(0.0, 0, FakeRelativeClock::default());
        let user = UserId::new();
        assert!(limiter.check(&user).is_ok());
        assert_eq!(limiter.check(&user).err(), Some(Duration::from_secs(1000)));
    }
}
