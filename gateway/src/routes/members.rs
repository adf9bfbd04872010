//! Room membership: join or add, leave or remove, and deleting a room.

use crate::auth::AuthUser;
use crate::dispatch::{self, Wait};
use crate::error::ApiError;
use crate::prefer;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::requests::UsernameRequest;
use parley_schema::validate::Username;
use parley_schema::RoomId;
use uuid::Uuid;

/// `POST /api/rooms/{id}/members`.
#[tracing::instrument(skip_all, fields(user = %auth.user_id))]
pub async fn add(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<UsernameRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = Command::AddMember {
        room_id: RoomId(path.into_inner()),
        username: Username::parse(&body.username)?.into_inner(),
    };
    dispatch::submit(
        &state,
        &auth,
        command,
        Wait::from_prefer(prefer::wait(&req)),
    )
    .await
}

/// `DELETE /api/rooms/{id}/members/{username}`.
#[tracing::instrument(skip_all, fields(user = %auth.user_id))]
pub async fn remove(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, ApiError> {
    let (room, username) = path.into_inner();
    let command = Command::RemoveMember {
        room_id: RoomId(room),
        username: Username::parse(&username)?.into_inner(),
    };
    dispatch::submit(
        &state,
        &auth,
        command,
        Wait::from_prefer(prefer::wait(&req)),
    )
    .await
}

/// `DELETE /api/rooms/{id}`.
#[tracing::instrument(skip_all, fields(user = %auth.user_id))]
pub async fn delete_room(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let command = Command::DeleteRoom {
        room_id: RoomId(path.into_inner()),
    };
    dispatch::submit(
        &state,
        &auth,
        command,
        Wait::from_prefer(prefer::wait(&req)),
    )
    .await
}
