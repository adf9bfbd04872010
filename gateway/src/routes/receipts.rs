//! Read receipts: who of a room has seen a message (derived from the read markers, no
//! table per message), and my settings, which say whether I appear there.

use super::common::readable_room;
use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, BadRequest, PreferWait, Queued, TooLarge};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::{SeenList, Settings};
use parley_schema::requests::UpdateSettingsRequest;
use parley_schema::{MessageId, RoomId};
use uuid::Uuid;

/// `GET /api/rooms/{room_id}/messages/{message_id}/seen`.
#[utoipa::path(
    get,
    path = "/api/rooms/{room_id}/messages/{message_id}/seen",
    operation_id = "seen_by",
    tag = "messages",
    summary = "Who has seen a message",
    description = "The room's members whose read marker is at or past the message, by \
                   username; not its author, and not those who turned `share_read_receipts` \
                   off. Members only.",
    params(
        ("room_id" = Uuid, Path, description = "The room's id."),
        ("message_id" = Uuid, Path, description = "The message's id."),
    ),
    responses(
        Authenticated,
        (status = 200, description = "Who has seen it.", body = SeenList),
        (status = 403, description = "`not_a_member`.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room or message.",
            body = ErrorResponse),
    )
)]
pub async fn seen(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (room, message) = path.into_inner();
    let (room, message, user) = (RoomId(room), MessageId(message), auth.user_id);
    let users = blocking::with_conn(&state.db, move |c| {
        readable_room(c, room, user, true)?;
        let m = parley_db::messages::find(c, message)?
            .filter(|m| m.room_id == room)
            .ok_or_else(|| ApiError::not_found("message"))?;
        let author = m.author.map(|a| a.id);
        Ok(parley_db::settings::seen_by(c, room, m.seq, author)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SeenList { users }))
}

/// `GET /api/me/settings`.
#[utoipa::path(
    get,
    path = "/api/me/settings",
    operation_id = "my_settings",
    tag = "accounts",
    summary = "My settings",
    description = "Every setting of mine, defaults included.",
    responses(Authenticated, (status = 200, description = "My settings.", body = Settings))
)]
pub async fn get(auth: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let user = auth.user_id;
    let settings: Settings =
        blocking::with_conn(&state.db, move |c| Ok(parley_db::settings::get(c, user)?)).await?;
    Ok(HttpResponse::Ok().json(settings))
}

/// `PUT /api/me/settings`.
#[utoipa::path(
    put,
    path = "/api/me/settings",
    operation_id = "update_settings",
    tag = "accounts",
    summary = "Change my settings",
    description = "Changes the settings given; the others stay. `share_read_receipts: false` \
                   keeps me out of every message's \"seen by\" list; \
                   `share_presence: false` shows me offline to everyone. My streams get a \
                   `settings` event.",
    params(PreferWait),
    request_body = UpdateSettingsRequest,
    responses(
        Queued, Authenticated, BadRequest, TooLarge,
        (status = 200, description = "With `Prefer: wait`: my settings now.", body = Settings),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn update(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    body: crate::json::Json<UpdateSettingsRequest>,
) -> Result<Sent, ApiError> {
    let command = Command::UpdateSettings {
        share_read_receipts: body.share_read_receipts,
        share_presence: body.share_presence,
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}
