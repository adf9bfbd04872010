//! A cache of authenticated sessions, keyed by token hash.
//!
//! It saves a Postgres round trip on every request and keeps writes flowing while Postgres
//! is briefly unreachable (a stale entry is used only then). Entries go when their session
//! closes or their account changes or is deleted: every gateway reads those events, so a
//! logout takes effect everywhere at once. A generation counter, moved by every eviction,
//! keeps a request that read a session just before its logout from caching it again. Beyond `CAPACITY` entries `quick_cache` evicts
//! the coldest, which costs only a Postgres look-up when that session comes back.

use crate::auth::AuthUser;
use parley_schema::{SessionId, UserId};
use quick_cache::sync::Cache;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CAPACITY: usize = 100_000;

pub struct AuthCache {
    ttl: Duration,
    map: Cache<String, (AuthUser, Instant)>,
    generation: AtomicU64,
}

/// What the cache knows of a token.
pub enum Cached {
    Fresh(AuthUser),
    Stale(AuthUser),
    Missing,
}

impl AuthCache {
    pub fn new(ttl: Duration) -> Self {
        let map = Cache::new(CAPACITY);
        Self {
            ttl,
            map,
            generation: AtomicU64::new(0),
        }
    }

    pub fn get(&self, token_hash: &str) -> Cached {
        match self.map.get(token_hash) {
            Some((user, at)) if at.elapsed() < self.ttl => Cached::Fresh(user),
            Some((user, _)) => Cached::Stale(user),
            None => Cached::Missing,
        }
    }

    /// The current generation: read it before looking a session up in Postgres.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Caches a session read at `generation`, unless something was evicted since.
    pub fn put(&self, token_hash: String, user: AuthUser, generation: u64) {
        if self.generation() == generation {
            self.map.insert(token_hash.clone(), (user, Instant::now()));
            // An eviction that ran between the check and the insert missed this entry.
            if self.generation() != generation {
                self.map.remove(&token_hash);
            }
        }
    }

    pub fn evict_session(&self, session: SessionId) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.map.retain(|_, (u, _)| u.session_id != session);
    }

    pub fn evict_user(&self, user: UserId) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.map.retain(|_, (u, _)| u.user_id != user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_schema::model::User;

    fn someone() -> AuthUser {
        let id = UserId::new();
        AuthUser {
            user_id: id,
            session_id: SessionId::new(),
            created_at: chrono::Utc::now(),
            last_seen_at: chrono::Utc::now(),
            user: User {
                id,
                username: "someone".into(),
                display_name: "someone".into(),
                status_message: String::new(),
                created_at: chrono::Utc::now(),
                presence: None,
            },
        }
    }

    #[test]
    fn entries_are_fresh_then_stale_then_evicted() {
        let cache = AuthCache::new(Duration::from_millis(20));
        let user = someone();
        cache.put("h".into(), user.clone(), cache.generation());
        assert!(matches!(cache.get("h"), Cached::Fresh(_)));
        std::thread::sleep(Duration::from_millis(30));
        assert!(matches!(cache.get("h"), Cached::Stale(_)));
        cache.evict_session(user.session_id);
        assert!(matches!(cache.get("h"), Cached::Missing));
    }

    #[test]
    fn evicting_a_user_drops_all_their_sessions() {
        let cache = AuthCache::new(Duration::from_secs(60));
        let user = someone();
        let mut other_device = user.clone();
        other_device.session_id = SessionId::new();
        cache.put("a".into(), user.clone(), cache.generation());
        cache.put("b".into(), other_device, cache.generation());
        cache.evict_user(user.user_id);
        assert!(matches!(cache.get("a"), Cached::Missing));
        assert!(matches!(cache.get("b"), Cached::Missing));
    }

    #[test]
    fn a_session_read_before_a_logout_is_not_cached_after_it() {
        let cache = AuthCache::new(Duration::from_secs(60));
        let user = someone();
        let read_at = cache.generation();
        cache.evict_session(user.session_id); // the logout lands while Postgres answers
        cache.put("h".into(), user, read_at);
        assert!(matches!(cache.get("h"), Cached::Missing));
    }
}
