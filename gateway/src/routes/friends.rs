//! Friends: list, add, remove.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Wait};
use crate::error::ApiError;
use crate::prefer;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::model::FriendList;
use parley_schema::requests::UsernameRequest;
use parley_schema::validate::Username;

/// `GET /api/friends`.
pub async fn list(auth: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let user = auth.user_id.0;
    let rows =
        blocking::with_conn(&state.db, move |c| Ok(parley_db::friends::list(c, user)?)).await?;
    Ok(HttpResponse::Ok().json(FriendList {
        friends: rows.iter().map(parley_db::views::user).collect(),
    }))
}

/// `POST /api/friends`.
#[tracing::instrument(skip_all, fields(user = %auth.user_id))]
pub async fn add(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<UsernameRequest>,
) -> Result<HttpResponse, ApiError> {
    let username = Username::parse(&body.username)?.into_inner();
    let wait = Wait::from_prefer(prefer::wait(&req));
    dispatch::submit(&state, &auth, Command::AddFriend { username }, wait).await
}

/// `DELETE /api/friends/{username}`.
#[tracing::instrument(skip_all, fields(user = %auth.user_id))]
pub async fn remove(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let username = Username::parse(&path.into_inner())?.into_inner();
    let wait = Wait::from_prefer(prefer::wait(&req));
    dispatch::submit(&state, &auth, Command::RemoveFriend { username }, wait).await
}
