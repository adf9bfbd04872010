//! Log in and out. The password is verified here; only the session (with the token's hash)
//! goes through Kafka.

use super::common::user_by_key;
use crate::auth::{self, AuthUser, COOKIE};
use crate::dispatch::{self, Origin, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, BadRequest, SignIn, TimedOut, TooLarge};
use crate::password;
use crate::state::AppState;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::{SessionCreated, User};
use parley_schema::requests::LoginRequest;
use parley_schema::validate::username_key;
use parley_schema::{ErrorCode, SessionId};

/// `POST /api/sessions`.
#[utoipa::path(
    post,
    path = "/api/sessions",
    operation_id = "login",
    tag = "sessions",
    summary = "Log in",
    description = "Verifies the password at the gateway, then opens a session (only the \
                   token's SHA-256 is published and stored). Answers with the bearer token \
                   and sets the `parley_session` cookie (HttpOnly, SameSite=Lax, Path=/; \
                   Secure when `PARLEY_COOKIE_SECURE` is set). Always waits for the outcome. \
                   The username matches without regard to case. Limited per client address \
                   and per account. No authentication.",
    request_body = LoginRequest,
    responses(
        BadRequest, TooLarge, SignIn, TimedOut,
        (status = 201, description = "The token and the user; the cookie is set.",
            body = SessionCreated,
            headers((
                "Set-Cookie" = String,
                description = "`parley_session=<token>; HttpOnly; SameSite=Lax; Path=/`"
            ))),
        (status = 401, description = "`invalid_credentials`: no such user or a wrong password \
            (the two are not told apart).", body = ErrorResponse),
        (status = 403, description = "`account_suspended`: an operator suspended the account \
            (told only when the password is right).", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(request_id))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: crate::json::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { username, password } = body.into_inner();
    let client = state.config.trusted_proxies.client_ip(&req);
    state.limits.auth_from(client)?;
    let key = username_key(&username);
    state.limits.login_to(&key)?;
    let found = user_by_key(&state, key).await?;
    let hash = found
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |u| u.password_hash.clone());
    let matches = state
        .hashing
        .run(client, move || password::verify(&password, &hash))
        .await?;
    let user = match found {
        Some(user) if matches => user,
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidCredentials,
                "wrong username or password",
            ))
        }
    };
    let token = auth::new_token();
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .chars()
                .take(256)
                .collect()
        })
        .unwrap_or_default();
    let command = Command::OpenSession {
        session_id: SessionId::new(),
        token_hash: auth::token_hash(&token),
        user_agent,
        ip: client.map(|ip| ip.to_string()),
    };
    let origin = Origin::user(user.id);
    let result = match dispatch::submit(&state, origin, command, Wait::Required).await? {
        Sent::Done { result, .. } if result.status == 201 => result,
        other => return Ok(other.respond()),
    };
    let user: User = serde_json::from_value(result.body)
        .map_err(|e| ApiError::Internal(format!("session result: {e}")))?;
    let cookie = Cookie::build(COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.cookie_secure)
        .max_age(actix_web::cookie::time::Duration::seconds(
            i64::try_from(state.config.session_max_secs).unwrap_or(i64::MAX),
        ))
        .finish();
    Ok(HttpResponse::Created()
        .cookie(cookie)
        .json(SessionCreated { token, user }))
}

/// `DELETE /api/sessions/current`: the session ends and its open streams close.
#[utoipa::path(
    delete,
    path = "/api/sessions/current",
    operation_id = "logout",
    tag = "sessions",
    summary = "Log out",
    description = "Ends the session the request authenticated with; its open event streams \
                   close and the cookie is cleared. Other sessions of the user stay. Always \
                   waits for the outcome. A session that another request ended meanwhile is \
                   logged out too (`204`).",
    responses(
        Authenticated, TimedOut,
        (status = 204, description = "Logged out; the cookie is removed.",
            headers(("Set-Cookie" = String, description = "`parley_session=` expired"))),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn logout(auth: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let command = Command::CloseSession {
        session_id: auth.session_id,
    };
    // A session another request ended first is done too (the worker says so).
    let mut resp = dispatch::submit(&state, &auth, command, Wait::Required)
        .await?
        .respond();
    if resp.status().is_success() {
        let mut gone = Cookie::build(COOKIE, "").path("/").finish();
        gone.make_removal();
        let _ = resp.add_cookie(&gone);
    }
    Ok(resp)
}
