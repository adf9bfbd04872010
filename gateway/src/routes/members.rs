//! Room membership: join or add, leave or remove, and deleting a room.

use crate::auth::AuthUser;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, PreferWait, Queued, TooLarge, Username as Name};
use crate::state::AppState;
use actix_web::{web, HttpRequest};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::requests::UsernameRequest;
use parley_schema::social::MemberAdded;
use parley_schema::validate::Username;
use parley_schema::RoomId;
use uuid::Uuid;

/// `POST /api/rooms/{id}/members`.
#[utoipa::path(
    post,
    path = "/api/rooms/{room_id}/members",
    operation_id = "add_member",
    tag = "rooms",
    summary = "Join a room, or add someone",
    description = "With my own username: join a public room. With someone else's: add them; \
                   any member may add others. To a private room, only people who have me as \
                   a friend are added; anyone else gets an invitation (an `invitation` \
                   event), and joins by accepting it. The room's members get a `member` \
                   event (`joined`) and a `room` event (`updated`). Someone who blocks me \
                   answers as an unknown user.",
    params(("room_id" = Uuid, Path, description = "The room's id."), PreferWait),
    request_body = UsernameRequest,
    responses(
        Queued, Authenticated, TooLarge,
        (status = 201, description = "With `Prefer: wait`: the room, with its new \
            `member_count`; or, when they were invited instead, the `Invitation`.",
            body = MemberAdded),
        (status = 400, description = "`invalid_json`; `validation_failed` (field \
            `username`).", body = ErrorResponse),
        (status = 403, description = "`forbidden`: joining a private room myself; \
            `not_a_member`: adding someone to a room I am not in.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room or user.", body = ErrorResponse),
        (status = 409, description = "`already_member`.", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn add(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: crate::json::Json<UsernameRequest>,
) -> Result<Sent, ApiError> {
    let command = Command::AddMember {
        room_id: RoomId(path.into_inner()),
        username: Username::parse(&body.username)?.into_inner(),
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}

/// `DELETE /api/rooms/{id}/members/{username}`.
#[utoipa::path(
    delete,
    path = "/api/rooms/{room_id}/members/{username}",
    operation_id = "remove_member",
    tag = "rooms",
    summary = "Leave a room, or remove a member",
    description = "With my own username: leave (if I own the room, ownership passes to the \
                   longest-standing member left; a room left empty stays, without owner). \
                   With someone else's: remove them (owner only). The person who went and \
                   the remaining members get a `member` event (`left` or `removed`); the \
                   remaining members also get a `room` event (`updated`).",
    params(
        ("room_id" = Uuid, Path, description = "The room's id."),
        ("username" = Name, Path, description = "Who leaves or is removed, any case."),
        PreferWait,
    ),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: done."),
        (status = 400, description = "`validation_failed` (field `username`).",
            body = ErrorResponse),
        (status = 403, description = "`forbidden`: removing someone from a room I do not \
            own; `not_a_member`: leaving a room I am not in, or removing from a room I am not \
            in.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room or user, or the user is not \
            a member.", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn remove(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
) -> Result<Sent, ApiError> {
    let (room, username) = path.into_inner();
    let command = Command::RemoveMember {
        room_id: RoomId(room),
        username: Username::parse(&username)?.into_inner(),
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}

/// `DELETE /api/rooms/{id}`.
#[utoipa::path(
    delete,
    path = "/api/rooms/{room_id}",
    operation_id = "delete_room",
    tag = "rooms",
    summary = "Delete a room",
    description = "Owner only. The room, its memberships and its messages go; every member \
                   gets a `room` event with `change: deleted`.",
    params(("room_id" = Uuid, Path, description = "The room's id."), PreferWait),
    responses(
        Queued, Authenticated,
        (status = 204, description = "With `Prefer: wait`: deleted."),
        (status = 403, description = "`forbidden`: a member who is not the owner; \
            `not_a_member`: not in the room.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room.", body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn delete_room(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<Sent, ApiError> {
    let command = Command::DeleteRoom {
        room_id: RoomId(path.into_inner()),
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}
