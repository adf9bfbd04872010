//! Accounts: register, my profile (read, change, delete), public profiles.

use super::common::{invalid, user_by_key};
use crate::auth::AuthUser;
use crate::dispatch::{self, Origin, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{
    Authenticated, BadRequest, PreferWait, Queued, SignIn, TimedOut, TooLarge, Username as Name,
};
use crate::password;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::User;
use parley_schema::requests::{RegisterRequest, UpdateProfileRequest};
use parley_schema::validate::{username_key, DisplayName, Password, StatusMessage, Username};
use parley_schema::{ErrorBody, ErrorCode, UserId};

/// `POST /api/users`: validate, hash the password here, publish, wait for the outcome.
#[utoipa::path(
    post,
    path = "/api/users",
    operation_id = "register",
    tag = "accounts",
    summary = "Register",
    description = "Creates an account. The gateway hashes the password (Argon2id) and \
                   publishes only the hash. Always waits for the outcome (`Prefer` is not \
                   needed). The username is stored NFKC-normalised, and is taken when a \
                   name equal to it without regard to case, or looking like it, exists; \
                   `display_name` defaults to the username. Limited per client address. No \
                   authentication.",
    request_body = RegisterRequest,
    responses(
        BadRequest, TooLarge, SignIn, TimedOut,
        (status = 201, description = "The new user.", body = User),
        (status = 409, description = "`username_taken` (field `username`).", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(request_id))]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: crate::json::Json<RegisterRequest>,
) -> Result<Sent, ApiError> {
    let body = body.into_inner();
    let client = state.config.trusted_proxies.client_ip(&req);
    state.limits.auth_from(client)?;
    let username = Username::parse(&body.username)?;
    let password = Password::parse(&body.password)?;
    let display_name = match body.display_name.as_deref() {
        Some(d) => DisplayName::parse(d)?.into_inner(),
        None => username.as_str().to_owned(),
    };
    let key = username.key();
    // A taken name is answered at once, before the costly hash; the worker checks again.
    if user_by_key(&state, key.clone()).await?.is_some() {
        return Err(taken(username.as_str()));
    }
    let password_hash = state
        .hashing
        .run(client, move || password::hash(password.expose()))
        .await?
        .map_err(ApiError::Internal)?;
    let command = Command::Register {
        user_id: UserId::new(),
        username: username.into_inner(),
        username_key: key,
        password_hash,
        display_name,
    };
    dispatch::submit(&state, Origin::default(), command, Wait::Required).await
}

fn taken(name: &str) -> ApiError {
    ApiError::Client(
        ErrorBody::new(
            ErrorCode::UsernameTaken,
            format!("the nickname {name:?} is taken"),
        )
        .with_field("username"),
    )
}

/// `GET /api/me`.
#[utoipa::path(
    get,
    path = "/api/me",
    operation_id = "get_me",
    tag = "accounts",
    summary = "My profile",
    responses(Authenticated, (status = 200, description = "The caller.", body = User))
)]
pub async fn me(auth: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(auth.user)
}

/// `GET /api/users/{username}`: a public profile.
#[utoipa::path(
    get,
    path = "/api/users/{username}",
    operation_id = "get_user",
    tag = "accounts",
    summary = "A public profile",
    description = "The user with this username, matched without regard to case (after NFKC \
                   normalisation). Deleted accounts are not found; a name that is not a valid \
                   username is simply not found.",
    params(("username" = Name, Path, description = "The username, any case.")),
    responses(
        Authenticated,
        (status = 200, description = "The user.", body = User),
        (status = 404, description = "`not_found`: no such user.", body = ErrorResponse),
    )
)]
pub async fn profile(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = user_by_key(&state, username_key(&path.into_inner()))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let mut user = parley_db::views::user(&user);
    user.presence = Some(state.hub.presence_for(auth.user_id, user.id));
    Ok(HttpResponse::Ok().json(user))
}

/// `PATCH /api/me`: display name and/or status message.
#[utoipa::path(
    patch,
    path = "/api/me",
    operation_id = "update_me",
    tag = "accounts",
    summary = "Change my profile",
    description = "Changes the display name, the status message or both (at least one must \
                   be given). Values are trimmed. My streams get a `profile` event.",
    request_body = UpdateProfileRequest,
    params(PreferWait),
    responses(
        Queued, Authenticated, TooLarge,
        (status = 200, description = "With `Prefer: wait`: the changed user.", body = User),
        (status = 400, description = "`invalid_json`; `validation_failed` (with `field`; \
            `body` when neither field is given).", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn update_me(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    body: crate::json::Json<UpdateProfileRequest>,
) -> Result<Sent, ApiError> {
    let body = body.into_inner();
    let display_name = body
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()?
        .map(DisplayName::into_inner);
    let status_message = body
        .status_message
        .as_deref()
        .map(StatusMessage::parse)
        .transpose()?
        .map(StatusMessage::into_inner);
    if display_name.is_none() && status_message.is_none() {
        return Err(invalid("body", "give display_name, status_message or both"));
    }
    let command = Command::UpdateProfile {
        display_name,
        status_message,
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}

/// `DELETE /api/me`: the account and everything personal goes; messages stay.
#[utoipa::path(
    delete,
    path = "/api/me",
    operation_id = "delete_me",
    tag = "accounts",
    summary = "Delete my account",
    description = "Sessions, memberships, friendships (both ways), saved items and read \
                   markers go; messages stay, with `author: null`. Rooms I own pass to \
                   their longest-standing member. The username becomes free. Every open \
                   stream of the account closes.",
    params(PreferWait),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: deleted."),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn delete_me(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
) -> Result<Sent, ApiError> {
    dispatch::submit(&state, &auth, Command::DeleteAccount, Wait::preferred(&req)).await
}
