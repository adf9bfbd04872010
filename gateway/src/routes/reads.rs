//! A member's own view of a room: the read marker (`PUT /api/rooms/{id}/read`) and the
//! room's settings, muted or not (`PUT /api/rooms/{id}/settings`).

use super::common::invalid;
use crate::auth::AuthUser;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, BadRequest, PreferWait, Queued, TooLarge};
use crate::state::AppState;
use actix_web::{web, HttpRequest};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::{ReadMarker, RoomSettings};
use parley_schema::requests::{MarkReadRequest, RoomSettingsRequest};
use parley_schema::RoomId;
use uuid::Uuid;

/// `PUT /api/rooms/{id}/read`: move my read marker forward.
#[utoipa::path(
    put,
    path = "/api/rooms/{room_id}/read",
    operation_id = "mark_read",
    tag = "messages",
    summary = "Move my read marker",
    description = "Moves my read marker in the room to `seq`: never backwards (a lower `seq` \
                   leaves it where it is) and never past the room's last message. The answer \
                   is the marker after the move. All my streams get a `read` event.",
    params(("room_id" = Uuid, Path, description = "The room's id."), PreferWait),
    request_body = MarkReadRequest,
    responses(
        Queued, Authenticated, BadRequest, TooLarge,
        (status = 200, description = "With `Prefer: wait`: the marker.", body = ReadMarker),
        (status = 403, description = "`not_a_member`.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room.", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn mark_read(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: crate::json::Json<MarkReadRequest>,
) -> Result<Sent, ApiError> {
    if body.seq < 0 {
        return Err(invalid("seq", "seq must not be negative"));
    }
    let command = Command::MarkRead {
        room_id: RoomId(path.into_inner()),
        seq: body.seq,
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}

/// `PUT /api/rooms/{id}/settings`: mute or unmute the room for me.
#[utoipa::path(
    put,
    path = "/api/rooms/{room_id}/settings",
    operation_id = "room_settings",
    tag = "rooms",
    summary = "Mute or unmute a room",
    description = "My settings of a room: `muted` silences its unread badge in the client \
                   (never its mentions). `GET /api/rooms` shows it per room; all my streams \
                   get a `room_settings` event. Members only.",
    params(("room_id" = Uuid, Path, description = "The room's id."), PreferWait),
    request_body = RoomSettingsRequest,
    responses(
        Queued, Authenticated, BadRequest, TooLarge,
        (status = 200, description = "With `Prefer: wait`: the room's settings now.",
            body = RoomSettings),
        (status = 403, description = "`not_a_member`.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room.", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn room_settings(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: crate::json::Json<RoomSettingsRequest>,
) -> Result<Sent, ApiError> {
    let command = Command::SetRoomSettings {
        room_id: RoomId(path.into_inner()),
        muted: body.muted,
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}
