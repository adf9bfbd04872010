//! Editing and deleting a message: commands like any write, applied by the worker, which
//! checks who may (the author edits; the author or the room's owner deletes).

use crate::auth::AuthUser;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, BadRequest, PreferWait, Queued, TooLarge};
use crate::state::AppState;
use actix_web::{web, HttpRequest};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::Message;
use parley_schema::requests::EditMessageRequest;
use parley_schema::validate::MessageBody;
use parley_schema::{MessageId, RoomId};
use uuid::Uuid;

/// `PATCH /api/rooms/{room_id}/messages/{message_id}`.
#[utoipa::path(
    patch,
    path = "/api/rooms/{room_id}/messages/{message_id}",
    operation_id = "edit_message",
    tag = "messages",
    summary = "Edit a message",
    description = "Replaces the text of one of my messages (trimmed, the rules of a sent \
                   body) and sets its `edited_at`. Every member's streams get \
                   `message_updated` with the whole message; history shows the new text.",
    params(
        ("room_id" = Uuid, Path, description = "The room's id."),
        ("message_id" = Uuid, Path, description = "The message's id."),
        PreferWait,
    ),
    request_body = EditMessageRequest,
    responses(
        Queued, Authenticated, BadRequest, TooLarge,
        (status = 200, description = "With `Prefer: wait`: the edited message.", body = Message),
        (status = 403, description = "`not_a_member`; `forbidden`: not my message.",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room or message, or it was \
            deleted.", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn edit(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::json::Json<EditMessageRequest>,
) -> Result<Sent, ApiError> {
    let (room, message) = path.into_inner();
    let command = Command::EditMessage {
        room_id: RoomId(room),
        message_id: MessageId(message),
        body: MessageBody::parse(&body.body)?.into_inner(),
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}

/// `DELETE /api/rooms/{room_id}/messages/{message_id}`.
#[utoipa::path(
    delete,
    path = "/api/rooms/{room_id}/messages/{message_id}",
    operation_id = "delete_message",
    tag = "messages",
    summary = "Delete a message",
    description = "Deletes a message of mine, or any message of a room I own. Its text is \
                   removed from storage; a tombstone keeps its `seq` (`deleted: true`, empty \
                   `body`). Every member's streams get `message_updated`. Deleting a deleted \
                   message again changes nothing (`204`).",
    params(
        ("room_id" = Uuid, Path, description = "The room's id."),
        ("message_id" = Uuid, Path, description = "The message's id."),
        PreferWait,
    ),
    responses(
        Queued, Authenticated,
        (status = 200, description = "With `Prefer: wait`: the tombstone.", body = Message),
        (status = 204, description = "With `Prefer: wait`: it was deleted already."),
        (status = 403, description = "`not_a_member`; `forbidden`: neither my message nor \
            my room.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room or message.",
            body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn delete(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<Sent, ApiError> {
    let (room, message) = path.into_inner();
    let command = Command::DeleteMessage {
        room_id: RoomId(room),
        message_id: MessageId(message),
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}
