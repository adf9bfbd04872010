//! Authentication: a bearer token or the `parley_session` cookie, looked up by its
//! SHA-256 hash. Cookie-authenticated writes from another origin are refused (CSRF).

use crate::authcache::Cached;
use crate::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpRequest};
use base64::Engine;
use futures_util::future::LocalBoxFuture;
use parley_schema::model::User;
use parley_schema::{ErrorCode, SessionId, UserId};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const COOKIE: &str = "parley_session";

/// The caller of an authenticated request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: UserId,
    pub session_id: SessionId,
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

/// Whether a browser request's `Origin` names this server.
fn same_origin(req: &HttpRequest) -> bool {
    let Some(origin) = req.headers().get("origin").and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let host = req.connection_info().host().to_owned();
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin)
        .trim_end_matches('/');
    origin_host.eq_ignore_ascii_case(&host)
}

async fn authenticate(req: HttpRequest) -> Result<AuthUser, ApiError> {
    let (token, via_cookie) = match bearer(&req) {
        Some(t) => (t, false),
        None => match req.cookie(COOKIE) {
            Some(c) => (c.value().to_owned(), true),
            None => return Err(ApiError::unauthenticated()),
        },
    };
    if via_cookie && req.method() != Method::GET && !same_origin(&req) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "cross-origin writes with a session cookie are refused",
        ));
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("no app state".into()))?
        .clone();
    let hash = token_hash(&token);
    let stale = match state.auth_cache.get(&hash) {
        Cached::Fresh(user) => return Ok(user),
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
        (Err(ApiError::Db(e)), Some(user)) if e.is_transient() => return Ok(user),
        (Err(e), _) => return Err(e),
    };
    let auth = AuthUser {
        user_id: user.id,
        session_id: session.id,
        user: parley_db::views::user(&user),
    };
    state.auth_cache.put(hash, auth.clone());
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
}
