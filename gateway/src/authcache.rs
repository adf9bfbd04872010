//! A cache of authenticated sessions, keyed by token hash.
//!
//! It saves a Postgres round trip on every request and keeps writes flowing while Postgres
//! is briefly unreachable (a stale entry is used only then). Entries go when their session
//! closes or their account changes or is deleted: every gateway reads those events, so a
//! logout takes effect everywhere at once. Beyond `CAPACITY` entries `quick_cache` evicts
//! the coldest, which costs only a Postgres look-up when that session comes back.

use crate::auth::AuthUser;
use parley_schema::{SessionId, UserId};
use quick_cache::sync::Cache;
use std::time::{Duration, Instant};

const CAPACITY: usize = 100_000;

pub struct AuthCache {
    ttl: Duration,
    map: Cache<String, (AuthUser, Instant)>,
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
        Self { ttl, map }
    }

    pub fn get(&self, token_hash: &str) -> Cached {
        match self.map.get(token_hash) {
            Some((user, at)) if at.elapsed() < self.ttl => Cached::Fresh(user),
            Some((user, _)) => Cached::Stale(user),
            None => Cached::Missing,
        }
    }

    pub fn put(&self, token_hash: String, user: AuthUser) {
        self.map.insert(token_hash, (user, Instant::now()));
    }

    pub fn evict_session(&self, session: SessionId) {
        self.map.retain(|_, (u, _)| u.session_id != session);
    }

    pub fn evict_user(&self, user: UserId) {
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
            user: User {
                id,
                username: "someone".into(),
                display_name: "someone".into(),
                status_message: String::new(),
                created_at: chrono::Utc::now(),
            },
        }
    }

    #[test]
    fn entries_are_fresh_then_stale_then_evicted() {
        let cache = AuthCache::new(Duration::from_millis(20));
        let user = someone();
        cache.put("h".into(), user.clone());
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
        cache.put("a".into(), user.clone());
        cache.put("b".into(), other_device);
        cache.evict_user(user.user_id);
        assert!(matches!(cache.get("a"), Cached::Missing));
        assert!(matches!(cache.get("b"), Cached::Missing));
    }
}
