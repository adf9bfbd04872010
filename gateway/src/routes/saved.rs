//! The saved-messages drawer.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, PreferWait, Queued};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::SavedList;
use parley_schema::MessageId;
use uuid::Uuid;

const SAVED_LIMIT: i64 = 500;

/// `GET /api/saved`: newest saved first.
#[utoipa::path(
    get,
    path = "/api/saved",
    operation_id = "list_saved",
    tag = "saved",
    summary = "My saved messages",
    description = "The messages I saved, the most recently saved first, at most 500. A \
                   message whose room was deleted is gone from the list.",
    responses(Authenticated, (status = 200, description = "My saved messages.", body = SavedList))
)]
pub async fn list(auth: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let user = auth.user_id;
    let saved = blocking::with_conn(&state.db, move |c| {
        let mut list = parley_db::saved::list(c, user, SAVED_LIMIT)?;
        parley_db::extras::decorate(c, &mut list, Some(user))?;
        Ok(list)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SavedList { saved }))
}

/// `PUT /api/saved/{message_id}`.
#[utoipa::path(
    put,
    path = "/api/saved/{message_id}",
    operation_id = "save_message",
    tag = "saved",
    summary = "Save a message",
    description = "Saves a message of a room I am in. Saving it again is not an error (204).",
    params(("message_id" = Uuid, Path, description = "The message's id."), PreferWait),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: saved."),
        (status = 403, description = "`not_a_member`: the message is in a room I am not in.",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such message (or not a UUID).",
            body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn save(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<Sent, ApiError> {
    let command = Command::SaveMessage {
        message_id: MessageId(path.into_inner()),
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}

/// `DELETE /api/saved/{message_id}`.
#[utoipa::path(
    delete,
    path = "/api/saved/{message_id}",
    operation_id = "unsave_message",
    tag = "saved",
    summary = "Unsave a message",
    description = "Takes a message out of my saved messages. Idempotent: a message that is \
                   not saved (or does not exist) answers 204 too.",
    params(("message_id" = Uuid, Path, description = "The message's id."), PreferWait),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: not saved (any more)."),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn unsave(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<Sent, ApiError> {
    let command = Command::UnsaveMessage {
        message_id: MessageId(path.into_inner()),
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}
