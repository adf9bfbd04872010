//! Read markers: `PUT /api/rooms/{id}/read`.

use super::common::invalid;
use crate::auth::AuthUser;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, BadRequest, PreferWait, Queued, TooLarge};
use crate::state::AppState;
use actix_web::{web, HttpRequest};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::ReadMarker;
use parley_schema::requests::MarkReadRequest;
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
