//! Reactions: any member adds or takes back an emoji on a message. Commands like any
//! write; the worker counts and tells every member (`reaction`).

use crate::auth::AuthUser;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, Emoji, PreferWait, Queued};
use crate::state::AppState;
use actix_web::{web, HttpRequest};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::markup::reaction_emoji;
use parley_schema::{MessageId, RoomId};
use uuid::Uuid;

/// `PUT /api/rooms/{room_id}/messages/{message_id}/reactions/{emoji}`.
#[utoipa::path(
    put,
    path = "/api/rooms/{room_id}/messages/{message_id}/reactions/{emoji}",
    operation_id = "add_reaction",
    tag = "messages",
    summary = "React to a message",
    description = "Adds my reaction `emoji` (one emoji, percent-encoded in the path; a skin \
                   tone or a joined sequence is one) to a message of a room I am a member \
                   of. Any number of different emoji per user; the same one again changes \
                   nothing. A message holds at most 20 different emoji. Every member's \
                   streams get a `reaction` event with the emoji's new count.",
    params(
        ("room_id" = Uuid, Path, description = "The room's id."),
        ("message_id" = Uuid, Path, description = "The message's id."),
        ("emoji" = Emoji, Path, description = "One emoji, percent-encoded: `%F0%9F%91%8D` \
            is 👍."),
        PreferWait,
    ),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: done (or it was there already)."),
        (status = 400, description = "`validation_failed` (field `emoji`): not one emoji, \
            or a 21st different emoji.", body = ErrorResponse),
        (status = 403, description = "`not_a_member`.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room or message, or it was \
            deleted.", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn add(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid, String)>,
) -> Result<Sent, ApiError> {
    set(&req, &auth, &state, path.into_inner(), true).await
}

/// `DELETE /api/rooms/{room_id}/messages/{message_id}/reactions/{emoji}`.
#[utoipa::path(
    delete,
    path = "/api/rooms/{room_id}/messages/{message_id}/reactions/{emoji}",
    operation_id = "remove_reaction",
    tag = "messages",
    summary = "Take back a reaction",
    description = "Takes back my reaction `emoji` on a message; when I had none, nothing \
                   changes. Every member's streams get a `reaction` event with the emoji's \
                   new count.",
    params(
        ("room_id" = Uuid, Path, description = "The room's id."),
        ("message_id" = Uuid, Path, description = "The message's id."),
        ("emoji" = Emoji, Path, description = "One emoji, percent-encoded."),
        PreferWait,
    ),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: done (or there was none)."),
        (status = 400, description = "`validation_failed` (field `emoji`): not one emoji.",
            body = ErrorResponse),
        (status = 403, description = "`not_a_member`.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room or message, or it was \
            deleted.", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn remove(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid, String)>,
) -> Result<Sent, ApiError> {
    set(&req, &auth, &state, path.into_inner(), false).await
}

async fn set(
    req: &HttpRequest,
    auth: &AuthUser,
    state: &AppState,
    (room, message, emoji): (Uuid, Uuid, String),
    on: bool,
) -> Result<Sent, ApiError> {
    let command = Command::SetReaction {
        room_id: RoomId(room),
        message_id: MessageId(message),
        emoji: reaction_emoji(&emoji)?,
        on,
    };
    dispatch::submit(state, auth, command, Wait::preferred(req)).await
}
