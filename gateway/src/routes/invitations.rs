//! Invitations addressed to me: list, accept, decline.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, PreferWait, Queued};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::Room;
use parley_schema::social::InvitationList;
use parley_schema::InvitationId;
use uuid::Uuid;

/// `GET /api/invitations`.
#[utoipa::path(
    get,
    path = "/api/invitations",
    operation_id = "list_invitations",
    tag = "rooms",
    summary = "My invitations",
    description = "Pending invitations into rooms, addressed to me, newest first (at most \
                   200).",
    responses(
        Authenticated,
        (status = 200, description = "My invitations.", body = InvitationList),
    )
)]
pub async fn list(auth: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let user = auth.user_id;
    let invitations = blocking::with_conn(&state.db, move |c| {
        Ok(parley_db::invitations::list(c, user)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InvitationList { invitations }))
}

/// The room of `invitee`'s invitation `id` (commands on a room are keyed by it), or 404.
async fn room_of(
    state: &AppState,
    invitee: parley_schema::UserId,
    id: Uuid,
) -> Result<(parley_schema::RoomId, InvitationId), ApiError> {
    let id = InvitationId(id);
    let found = blocking::with_conn(&state.db, move |c| {
        Ok(parley_db::invitations::room_for_invitee(c, id, invitee)?)
    })
    .await?;
    let room = found.ok_or_else(|| ApiError::not_found("invitation"))?;
    Ok((room, id))
}

/// `POST /api/invitations/{invitation_id}/accept`.
#[utoipa::path(
    post,
    path = "/api/invitations/{invitation_id}/accept",
    operation_id = "accept_invitation",
    tag = "rooms",
    summary = "Accept an invitation",
    description = "I join the room. Its members get a `member` event (`joined`) and a \
                   `room` event (`updated`); my streams get an `invitation` event \
                   (`accepted`).",
    params(("invitation_id" = Uuid, Path, description = "The invitation's id."), PreferWait),
    responses(
        Queued, Authenticated,
        (status = 201, description = "With `Prefer: wait`: the room I joined.", body = Room),
        (status = 404, description = "`not_found`: no such invitation of mine (or not a \
            UUID).", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn accept(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<Sent, ApiError> {
    answer(&req, &auth, &state, path.into_inner(), true).await
}

/// `POST /api/invitations/{invitation_id}/decline`.
#[utoipa::path(
    post,
    path = "/api/invitations/{invitation_id}/decline",
    operation_id = "decline_invitation",
    tag = "rooms",
    summary = "Decline an invitation",
    description = "The invitation goes; nobody but my own streams (an `invitation` event, \
                   `declined`) is told.",
    params(("invitation_id" = Uuid, Path, description = "The invitation's id."), PreferWait),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: declined."),
        (status = 404, description = "`not_found`: no such invitation of mine (or not a \
            UUID).", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn decline(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<Sent, ApiError> {
    answer(&req, &auth, &state, path.into_inner(), false).await
}

/// Accepts (`accept`) or declines my invitation `id`.
async fn answer(
    req: &HttpRequest,
    auth: &AuthUser,
    state: &AppState,
    id: Uuid,
    accept: bool,
) -> Result<Sent, ApiError> {
    let (room_id, invitation_id) = room_of(state, auth.user_id, id).await?;
    let command = match accept {
        true => Command::AcceptInvitation {
            room_id,
            invitation_id,
        },
        false => Command::DeclineInvitation {
            room_id,
            invitation_id,
        },
    };
    dispatch::submit(state, auth, command, Wait::preferred(req)).await
}
