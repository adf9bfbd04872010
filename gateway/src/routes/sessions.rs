//! Log in and out. The password is verified here; only the session (with the token's hash)
//! goes through Kafka.

use crate::auth::{self, AuthUser, COOKIE};
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::password;
use crate::state::AppState;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpResponse};
use parley_schema::command::Command;
use parley_schema::model::{SessionCreated, User};
use parley_schema::requests::LoginRequest;
use parley_schema::validate::username_key;
use parley_schema::{ErrorCode, SessionId};
use std::time::Duration;

/// `POST /api/sessions`.
#[tracing::instrument(skip_all)]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { username, password } = body.into_inner();
    let key = username_key(&username);
    let found = blocking::with_conn(&state.db, move |c| {
        Ok(parley_db::users::find_by_key(c, &key)?)
    })
    .await?;
    let hash = found
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |u| u.password_hash.clone());
    let matches = blocking::cpu(move || password::verify(&password, &hash)).await?;
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
    let command = Command::OpenSession {
        session_id: SessionId::new(),
        token_hash: auth::token_hash(&token),
    };
    let wait = Wait::Required(Duration::from_secs(state.config.wait_timeout_secs));
    let sent = dispatch::send(&state, Some(user.id.into()), None, command, wait).await?;
    let Sent::Done(result) = sent else {
        return Ok(dispatch::respond_required(sent));
    };
    if result.status != 201 {
        return Ok(dispatch::result_response(result));
    }
    let user: User = serde_json::from_value(result.body)
        .map_err(|e| ApiError::Internal(format!("session result: {e}")))?;
    let cookie = Cookie::build(COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.cookie_secure)
        .finish();
    Ok(HttpResponse::Created()
        .cookie(cookie)
        .json(SessionCreated { token, user }))
}

/// `DELETE /api/sessions/current`: the session ends and its open streams close.
#[tracing::instrument(skip_all, fields(user = %auth.user_id))]
pub async fn logout(auth: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let command = Command::CloseSession {
        session_id: auth.session_id,
    };
    let wait = Wait::Required(Duration::from_secs(state.config.wait_timeout_secs));
    let sent = dispatch::send(&state, Some(auth.user_id), Some(&auth), command, wait).await?;
    let mut resp = dispatch::respond_required(sent);
    if resp.status().is_success() {
        let mut gone = Cookie::build(COOKIE, "").path("/").finish();
        gone.make_removal();
        let _ = resp.add_cookie(&gone);
    }
    Ok(resp)
}
