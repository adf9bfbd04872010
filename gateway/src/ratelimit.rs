//! Per-user token buckets for sending messages: `rate` tokens a second, up to `burst`.
//!
//! Buckets live in this gateway's memory: with N gateways behind a balancer a user's
//! effective limit is at most N times the configured one (documented in the README).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use parley_schema::UserId;

struct Bucket {
    tokens: f64,
    at: Instant,
}

pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<UserId, Bucket>>,
}

impl RateLimiter {
    pub fn new(rate_per_sec: f64, burst: u32) -> Self {
        Self {
            rate: rate_per_sec.max(0.001),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `user`; when none is left, how long until one is.
    pub fn check(&self, user: UserId) -> Result<(), Duration> {
        self.check_at(user, Instant::now())
    }

    fn check_at(&self, user: UserId, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Forget full buckets so idle users cost nothing.
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let bucket = buckets.entry(user).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let refill = now.duration_since(bucket.at).as_secs_f64() * self.rate;
        bucket.tokens = (bucket.tokens + refill).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_rate_applies() {
        let limiter = RateLimiter::new(2.0, 3);
        let user = UserId::new();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(user, t0).is_ok());
        }
        let wait = limiter.check_at(user, t0).err();
        assert_eq!(wait.map(|w| w.as_millis()), Some(500));
        assert!(limiter
            .check_at(user, t0 + Duration::from_millis(500))
            .is_ok());
    }

    #[test]
    fn users_have_their_own_buckets() {
        let limiter = RateLimiter::new(1.0, 1);
        let t0 = Instant::now();
        assert!(limiter.check_at(UserId::new(), t0).is_ok());
        assert!(limiter.check_at(UserId::new(), t0).is_ok());
    }
}
