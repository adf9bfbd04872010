//! Blocking: list, block, unblock.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, PreferWait, Queued, Username as Name};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::User;
use parley_schema::social::BlockList;
use parley_schema::validate::{username_key, Username};
use parley_schema::ErrorCode;

/// `GET /api/blocks`.
#[utoipa::path(
    get,
    path = "/api/blocks",
    operation_id = "list_blocks",
    tag = "friends",
    summary = "The people I block",
    description = "Most recently blocked first.",
    responses(Authenticated, (status = 200, description = "Whom I block.", body = BlockList))
)]
pub async fn list(auth: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let user = auth.user_id;
    let rows =
        blocking::with_conn(&state.db, move |c| Ok(parley_db::blocks::list(c, user)?)).await?;
    Ok(HttpResponse::Ok().json(BlockList {
        blocks: rows.iter().map(parley_db::views::user).collect(),
    }))
}

/// `PUT /api/blocks/{username}`.
#[utoipa::path(
    put,
    path = "/api/blocks/{username}",
    operation_id = "block",
    tag = "friends",
    summary = "Block someone",
    description = "Idempotent. They leave my friend list, their pending invitations to me \
                   go, and they are not told. From then on they cannot add me to a room, \
                   invite me or add me as a friend (they get `404`, as for an unknown \
                   user); they see me offline and never typing; their mentions do not \
                   reach me; their messages reach me flagged `from_blocked: true`. My \
                   streams get a `block` event.",
    params(
        ("username" = Name, Path, description = "Their username, any case."),
        PreferWait,
    ),
    responses(
        Queued, Authenticated,
        (status = 200, description = "With `Prefer: wait`: the user, now blocked.",
            body = User),
        (status = 400, description = "`validation_failed` (field `username`).",
            body = ErrorResponse),
        (status = 403, description = "`forbidden`: my own username.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user.", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn block(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<Sent, ApiError> {
    let username = Username::parse(&path.into_inner())?;
    if username.key() == username_key(&auth.user.username) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "you cannot block yourself",
        ));
    }
    let command = Command::Block {
        username: username.into_inner(),
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}

/// `DELETE /api/blocks/{username}`.
#[utoipa::path(
    delete,
    path = "/api/blocks/{username}",
    operation_id = "unblock",
    tag = "friends",
    summary = "Unblock someone",
    description = "My streams get a `block` event with `blocked: false`. They are not put \
                   back on my friend list.",
    params(
        ("username" = Name, Path, description = "Their username, any case."),
        PreferWait,
    ),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: unblocked."),
        (status = 400, description = "`validation_failed` (field `username`).",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user, or not blocked.",
            body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn unblock(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<Sent, ApiError> {
    let username = Username::parse(&path.into_inner())?.into_inner();
    let command = Command::Unblock { username };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}
