//! Friends: list, add, remove.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, PreferWait, Queued, TooLarge, Username as Name};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::{FriendList, User};
use parley_schema::requests::UsernameRequest;
use parley_schema::validate::{username_key, Username};
use parley_schema::ErrorCode;

/// `GET /api/friends`.
#[utoipa::path(
    get,
    path = "/api/friends",
    operation_id = "list_friends",
    tag = "friends",
    summary = "My friends",
    description = "The people on my friend list, in the order I added them. The list is \
                   one-way: adding someone does not put me on their list.",
    responses(Authenticated, (status = 200, description = "My friends.", body = FriendList))
)]
pub async fn list(auth: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let user = auth.user_id;
    let rows =
        blocking::with_conn(&state.db, move |c| Ok(parley_db::friends::list(c, user)?)).await?;
    let friends = with_presence(&state, user, &rows);
    Ok(HttpResponse::Ok().json(FriendList { friends }))
}

/// `user`'s friends `rows`, each with their presence as `user` may see it.
pub(crate) fn with_presence(
    state: &AppState,
    user: parley_schema::UserId,
    rows: &[parley_db::rows::UserRow],
) -> Vec<User> {
    let mut friends: Vec<User> = rows.iter().map(parley_db::views::user).collect();
    for friend in &mut friends {
        friend.presence = Some(state.hub.presence_for(user, friend.id));
    }
    friends
}

/// `POST /api/friends`.
#[utoipa::path(
    post,
    path = "/api/friends",
    operation_id = "add_friend",
    tag = "friends",
    summary = "Add a friend",
    description = "Adds a user to my friend list (one-way; they are not told). My streams \
                   get a `friend` event with `change: added`.",
    request_body = UsernameRequest,
    params(PreferWait),
    responses(
        Queued, Authenticated, TooLarge,
        (status = 201, description = "With `Prefer: wait`: the friend added.", body = User),
        (status = 400, description = "`invalid_json`; `validation_failed` (field \
            `username`: not a valid username).", body = ErrorResponse),
        (status = 403, description = "`forbidden`: the username is my own (one cannot be \
            one's own friend).", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user.", body = ErrorResponse),
        (status = 409, description = "`already_friends`: already on my list.",
            body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn add(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    body: crate::json::Json<UsernameRequest>,
) -> Result<Sent, ApiError> {
    let username = Username::parse(&body.username)?;
    // Refused here, before anything is published (the worker would refuse it too).
    if username.key() == username_key(&auth.user.username) {
        let message = "you cannot add yourself as a friend";
        return Err(ApiError::new(ErrorCode::Forbidden, message));
    }
    let command = Command::AddFriend {
        username: username.into_inner(),
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}

/// `DELETE /api/friends/{username}`.
#[utoipa::path(
    delete,
    path = "/api/friends/{username}",
    operation_id = "remove_friend",
    tag = "friends",
    summary = "Remove a friend",
    description = "Takes a user off my friend list. My streams get a `friend` event with \
                   `change: removed`.",
    params(
        ("username" = Name, Path, description = "The friend's username, any case."),
        PreferWait,
    ),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: removed."),
        (status = 400, description = "`validation_failed` (field `username`): not a valid \
            username.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user, or not on my list.",
            body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn remove(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<Sent, ApiError> {
    let username = Username::parse(&path.into_inner())?.into_inner();
    let command = Command::RemoveFriend { username };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}
