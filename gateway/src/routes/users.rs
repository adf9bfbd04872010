//! Accounts: register, my profile, public profiles.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Wait};
use crate::error::ApiError;
use crate::password;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use parley_schema::command::Command;
use parley_schema::requests::RegisterRequest;
use parley_schema::validate::{username_key, DisplayName, Password, Username};
use parley_schema::{ErrorBody, ErrorCode, UserId};
use std::time::Duration;

/// `POST /api/users`: validate, hash the password here, publish, wait for the outcome.
#[tracing::instrument(skip_all)]
pub async fn register(
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let username = Username::parse(&body.username)?;
    let password = Password::parse(&body.password)?;
    let display_name = match body.display_name.as_deref() {
        Some(d) => DisplayName::parse(d)?.into_inner(),
        None => username.as_str().to_owned(),
    };
    let key = username.key();
    // A taken name is answered at once, before the costly hash; the worker checks again.
    let probe = key.clone();
    if blocking::with_conn(&state.db, move |c| {
        Ok(parley_db::users::find_by_key(c, &probe)?)
    })
    .await?
    .is_some()
    {
        return Err(taken(username.as_str()));
    }
    let password_hash = blocking::cpu(move || password::hash(password.expose()))
        .await?
        .map_err(ApiError::Internal)?;
    let command = Command::Register {
        user_id: UserId::new(),
        username: username.into_inner(),
        username_key: key,
        password_hash,
        display_name,
    };
    let wait = Wait::Required(Duration::from_secs(state.config.wait_timeout_secs));
    let sent = dispatch::send(&state, None, None, command, wait).await?;
    Ok(dispatch::respond_required(sent))
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
pub async fn me(auth: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(auth.user)
}

/// `GET /api/users/{username}`: a public profile.
pub async fn profile(
    _auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = username_key(&path.into_inner());
    let user = blocking::with_conn(&state.db, move |c| {
        Ok(parley_db::users::find_by_key(c, &key)?)
    })
    .await?
    .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(HttpResponse::Ok().json(parley_db::views::user(&user)))
}
