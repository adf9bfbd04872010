//! My sessions as devices: list them, revoke one, revoke all but this one, and change the
//! password (which also revokes the others). A revoked session's streams close on every
//! gateway at once (its `session_closed` event).

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, BadRequest, SignIn, TimedOut, TooLarge, WRONG_PASSWORD};
use crate::password;
use crate::state::AppState;
use actix_web::web;
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::{SessionInfo, SessionList};
use parley_schema::requests::ChangePasswordRequest;
use parley_schema::validate::Password;
use parley_schema::{ErrorCode, SessionId};
use uuid::Uuid;

/// `GET /api/sessions`.
#[utoipa::path(
    get,
    path = "/api/sessions",
    operation_id = "list_sessions",
    tag = "sessions",
    summary = "My sessions",
    description = "Every session (signed-in device) of mine, the most recently used first: \
                   when it began, when it was last used (to within a few minutes), its \
                   `User-Agent`, and which one asks. A session ends after \
                   `PARLEY_SESSION_IDLE_SECS` unused or `PARLEY_SESSION_MAX_SECS` after login.",
    responses(
        Authenticated,
        (status = 200, description = "My sessions.", body = SessionList),
    )
)]
pub async fn list(
    auth: AuthUser,
    state: web::Data<AppState>,
) -> Result<web::Json<SessionList>, ApiError> {
    let user = auth.user_id;
    let rows = blocking::with_conn(&state.db, move |c| {
        Ok(parley_db::sessions::of_user(c, user)?)
    })
    .await?;
    let sessions = rows
        .into_iter()
        .map(|row| SessionInfo {
            current: row.id == auth.session_id,
            id: row.id,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
            user_agent: row.user_agent,
        })
        .collect();
    Ok(web::Json(SessionList { sessions }))
}

/// `DELETE /api/sessions/{session_id}`.
#[utoipa::path(
    delete,
    path = "/api/sessions/{session_id}",
    operation_id = "revoke_session",
    tag = "sessions",
    summary = "Revoke a session",
    description = "Ends one of my sessions (another device, or this one); its streams close \
                   on every gateway. Always waits for the outcome.",
    params(("session_id" = Uuid, Path, description = "The session, from `GET /api/sessions`.")),
    responses(
        Authenticated, TimedOut,
        (status = 204, description = "Revoked."),
        (status = 404, description = "`not_found`: no such session of mine.",
            body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn revoke(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<Sent, ApiError> {
    let command = Command::CloseSession {
        session_id: SessionId(path.into_inner()),
    };
    dispatch::submit(&state, &auth, command, Wait::Required).await
}

/// `DELETE /api/sessions`.
#[utoipa::path(
    delete,
    path = "/api/sessions",
    operation_id = "revoke_other_sessions",
    tag = "sessions",
    summary = "Log out everywhere else",
    description = "Ends every session of mine but the one asking. Always waits for the \
                   outcome.",
    responses(
        Authenticated, TimedOut,
        (status = 204, description = "Every other session ended."),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn revoke_others(auth: AuthUser, state: web::Data<AppState>) -> Result<Sent, ApiError> {
    let command = Command::CloseOtherSessions {
        keep: auth.session_id,
    };
    dispatch::submit(&state, &auth, command, Wait::Required).await
}

/// `PUT /api/me/password`.
#[utoipa::path(
    put,
    path = "/api/me/password",
    operation_id = "change_password",
    tag = "accounts",
    summary = "Change my password",
    description = "Checks the current password, stores the new one (Argon2id, hashed at the \
                   gateway) and ends every other session of mine. Always waits for the \
                   outcome. Limited like logins (per address and per account).",
    request_body = ChangePasswordRequest,
    responses(
        Authenticated, SignIn, BadRequest, TooLarge, TimedOut,
        (status = 204, description = "Changed; the other sessions ended."),
        (status = 401, description = WRONG_PASSWORD, body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn change_password(
    req: actix_web::HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    body: crate::json::Json<ChangePasswordRequest>,
) -> Result<Sent, ApiError> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let new_password = Password::parse(&new_password).map_err(|mut e| {
        e.field = "new_password";
        e
    })?;
    let limits = &state.limits;
    let client = state.config.trusted_proxies.client_ip(&req);
    limits.auth_from(client)?;
    limits.login_to(&parley_schema::validate::username_key(&auth.user.username))?;
    let user = auth.user_id;
    let stored = blocking::with_conn(&state.db, move |c| {
        Ok(parley_db::users::find_active(c, user)?)
    })
    .await?
    .map(|u| u.password_hash)
    .ok_or_else(ApiError::unauthenticated)?;
    let hashing = &state.hashing;
    if !hashing
        .run(client, move || password::verify(&current_password, &stored))
        .await?
    {
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "the current password is wrong",
        ));
    }
    let password_hash = hashing
        .run(client, move || password::hash(new_password.expose()))
        .await?
        .map_err(ApiError::Internal)?;
    let command = Command::ChangePassword {
        password_hash,
        keep: auth.session_id,
    };
    dispatch::submit(&state, &auth, command, Wait::Required).await
}
