//! Typing and my presence: ephemeral signals, published on the ephemeral topic and never
//! stored (see `crate::signals`).

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::openapi::{Authenticated, BadRequest, TooLarge};
use crate::signals::typing::TYPING_FOR;
use crate::signals::Signal;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use parley_schema::error::ErrorResponse;
use parley_schema::model::Author;
use parley_schema::social::PresenceRequest;
use parley_schema::{ErrorCode, RoomId};
use std::time::Instant;
use uuid::Uuid;

/// `POST /api/rooms/{room_id}/typing`.
#[utoipa::path(
    post,
    path = "/api/rooms/{room_id}/typing",
    operation_id = "typing",
    tag = "signals",
    summary = "I am typing",
    description = "Marks me as typing in the room for 5 s: the other members' streams get a \
                   `typing` event `{room_id, user, until}` (not those I block or who block \
                   me). Post again at most every 3 s while typing; a message I send stops \
                   it (a `typing` event with `until` now). More than one call per 2 s per \
                   room answers 204 and does nothing. Ephemeral: never stored, never \
                   replayed. No body.",
    params(("room_id" = Uuid, Path, description = "The room's id.")),
    responses(
        Authenticated,
        (status = 204, description = "Noted (or silently dropped past the rate)."),
        (status = 403, description = "`not_a_member`: not a room of mine (unknown rooms \
            too).", body = ErrorResponse),
    )
)]
pub async fn typing(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room_id = RoomId(path.into_inner());
    if !state.hub.is_member(room_id, auth.user_id) {
        let message = "you are not a member of this room";
        return Err(ApiError::new(ErrorCode::NotAMember, message));
    }
    if state
        .signals
        .typists
        .admit(auth.user_id, room_id, Instant::now())
    {
        let until = Utc::now() + TYPING_FOR;
        state
            .signals
            .send(&typing_signal(&auth, room_id, until))
            .await;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The typing signal of `auth`'s user in `room_id`, until `until`.
pub fn typing_signal(auth: &AuthUser, room_id: RoomId, until: chrono::DateTime<Utc>) -> Signal {
    Signal::Typing {
        room_id,
        user: Author {
            id: auth.user_id,
            username: auth.user.username.clone(),
            display_name: auth.user.display_name.clone(),
        },
        until,
    }
}

/// After a send: tells the room that its author stopped typing, if they were (in the
/// background: the send's answer does not wait for it).
pub fn stop_typing(state: &web::Data<AppState>, auth: &AuthUser, room_id: RoomId) {
    if state
        .signals
        .typists
        .stop(auth.user_id, room_id, Instant::now())
    {
        let signal = typing_signal(auth, room_id, Utc::now());
        let state = web::Data::clone(state);
        tokio::spawn(async move { state.signals.send(&signal).await });
    }
}

/// `PUT /api/me/presence`.
#[utoipa::path(
    put,
    path = "/api/me/presence",
    operation_id = "set_presence",
    tag = "signals",
    summary = "Say how present I am",
    description = "`online` or `away` for this session (the client says `away` when its page \
                   is hidden). I am `online` while any of my streams' sessions is online, \
                   `away` while all are away, `offline` with no stream open. Friends (who \
                   have me on their list) and room-mates get `presence` events. Ephemeral: \
                   never stored. Counts against the write rate.",
    request_body = PresenceRequest,
    responses(
        Authenticated, BadRequest, TooLarge,
        (status = 204, description = "Noted."),
    )
)]
pub async fn presence(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: crate::json::Json<PresenceRequest>,
) -> Result<HttpResponse, ApiError> {
    state.limits.write(auth.user_id)?;
    let signal = Signal::Status {
        user: auth.user_id,
        session: auth.session_id,
        state: body.state,
    };
    state.signals.send(&signal).await;
    Ok(HttpResponse::NoContent().finish())
}
