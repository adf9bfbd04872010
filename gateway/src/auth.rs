//! Authentication: a bearer token or the `parley_session` cookie, looked up by its
//! SHA-256 hash. A session ends after `PARLEY_SESSION_IDLE_SECS` unused or
//! `PARLEY_SESSION_MAX_SECS` after login. Forged cookie writes are refused before this
//! runs (`crate::csrf`).

use crate::authcache::Cached;
use crate::blocking;
use crate::dispatch::Origin;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use base64::Engine;
use chrono::{DateTime, Utc};
use futures_util::future::LocalBoxFuture;
use parley_schema::command::Command;
use parley_schema::model::User;
use parley_schema::{SessionId, UserId};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const COOKIE: &str = "parley_session";

/// The caller of an authenticated request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub created_at: DateTime<Utc>,
    /// The session's last noted use (moved at most every few minutes).
    pub last_seen_at: DateTime<Utc>,
    pub user: User,
}

/// A new random bearer token (256 bits, URL-safe base64).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The hex SHA-256 of a token: all that is stored or published.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Why a known session no longer counts, if it does not.
fn expired(auth: &AuthUser, idle: Duration, max: Duration) -> bool {
    let age = |t: DateTime<Utc>| (Utc::now() - t).to_std().unwrap_or_default();
    age(auth.created_at) > max || age(auth.last_seen_at) > idle
}

/// Notes a use of the session when the last noted one is older than the touch interval:
/// publishes a `touch_session` (nobody waits) and moves the cached time, so the next
/// requests do not publish again.
fn touch(state: &web::Data<AppState>, hash: String, auth: &mut AuthUser, generation: u64) {
    let idle = state.config.session_idle_secs;
    let every = Duration::from_secs((idle / 4).clamp(1, 300));
    let now = Utc::now();
    if (now - auth.last_seen_at).to_std().unwrap_or_default() < every {
        return;
    }
    auth.last_seen_at = now;
    state.auth_cache.put(hash, auth.clone(), generation);
    let command = Command::TouchSession {
        session_id: auth.session_id,
        at: now,
    };
    let (state, origin) = (state.clone(), Origin::from(&*auth));
    actix_web::rt::spawn(async move {
        let wait = crate::dispatch::Wait::Preferred(None);
        if let Err(e) = crate::dispatch::submit(&state, origin, command, wait).await {
            tracing::warn!(error = %e, "noting a session's use");
        }
    });
}

async fn authenticate(req: HttpRequest) -> Result<AuthUser, ApiError> {
    let token = match bearer(&req) {
        Some(t) => t,
        None => match req.cookie(COOKIE) {
            Some(c) => c.value().to_owned(),
            None => return Err(ApiError::unauthenticated()),
        },
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("no app state".into()))?
        .clone();
    let idle = Duration::from_secs(state.config.session_idle_secs);
    let max = Duration::from_secs(state.config.session_max_secs);
    let hash = token_hash(&token);
    // Read before Postgres: an eviction (logout) after this point wins over our put.
    let generation = state.auth_cache.generation();
    let stale = match state.auth_cache.get(&hash) {
        Cached::Fresh(mut user) => {
            if expired(&user, idle, max) {
                return Err(ApiError::unauthenticated());
            }
            touch(&state, hash, &mut user, generation);
            return Ok(user);
        }
        Cached::Stale(user) => Some(user),
        Cached::Missing => None,
    };
    let key = hash.clone();
    let found = blocking::with_conn(&state.db, move |conn| {
        Ok(parley_db::sessions::find_by_token_hash(conn, &key)?)
    })
    .await;
    let (session, user) = match (found, stale) {
        (Ok(found), _) => found.ok_or_else(ApiError::unauthenticated)?,
        // Postgres is unreachable: a session we knew is still good (logouts evict).
        (Err(ApiError::Db(e)), Some(user)) if e.is_transient() && !expired(&user, idle, max) => {
            return Ok(user)
        }
        (Err(e), _) => return Err(e),
    };
    let mut auth = AuthUser {
        user_id: user.id,
        session_id: session.id,
        created_at: session.created_at,
        last_seen_at: session.last_seen_at,
        user: parley_db::views::user(&user),
    };
    if expired(&auth, idle, max) {
        return Err(ApiError::unauthenticated());
    }
    state.auth_cache.put(hash.clone(), auth.clone(), generation);
    touch(&state, hash, &mut auth, generation);
    Ok(auth)
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_hex_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }

    proptest::proptest! {
        #[test]
        fn any_cookie_or_authorization_header_parses_without_panicking(
            cookie in "[ -~]{0,80}",
            authorization in "[ -~]{0,80}",
        ) {
            let req = actix_web::test::TestRequest::post()
                .insert_header(("cookie", cookie))
                .insert_header(("authorization", authorization))
                .to_http_request();
            let _ = (bearer(&req), req.cookie(COOKIE));
            let _ = crate::csrf::check(&req, Some("chat.example"));
        }
    }
}
