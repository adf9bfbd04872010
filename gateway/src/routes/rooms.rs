//! Rooms: create, list mine or public ones, show one with its members.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{
    ACCEPTED, ERR_BAD_REQUEST, ERR_CROSS_ORIGIN, ERR_TOO_LARGE, ERR_UNAUTHENTICATED,
    ERR_UNAVAILABLE, PREFER,
};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_db::{members, messages, rooms, views};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::{Accepted, Room};
use parley_schema::model::{PublicRoomList, RoomDetail, RoomList, RoomSummary, Visibility};
use parley_schema::requests::CreateRoomRequest;
use parley_schema::validate::{RoomName, Username, ValidationError};
use parley_schema::{ErrorCode, RoomId, UserId};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

const MAX_INITIAL_MEMBERS: usize = 100;

/// `POST /api/rooms`.
#[utoipa::path(
    post,
    path = "/api/rooms",
    operation_id = "create_room",
    tag = "rooms",
    summary = "Create a room",
    description = "Creates a room; the creator is its owner and first member, and the users \
                   named in `members` (at most 100) are members too. Every member's streams \
                   get a `room` event with `change: created`.",
    request_body = CreateRoomRequest,
    params(("Prefer" = Option<String>, Header, nullable = false, example = "wait=10",
            description = PREFER)),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "With `Prefer: wait`: the new room.", body = Room,
            headers(("Preference-Applied" = String, description = "`wait`"))),
        (status = 202, description = ACCEPTED, body = Accepted),
        (status = 400, description = ERR_BAD_REQUEST, body = ErrorResponse),
        (status = 401, description = ERR_UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = ERR_CROSS_ORIGIN, body = ErrorResponse),
        (status = 404, description = "`not_found`: a user named in `members` does not exist \
            (nothing is created).", body = ErrorResponse),
        (status = 413, description = ERR_TOO_LARGE, body = ErrorResponse),
        (status = 503, description = ERR_UNAVAILABLE, body = ErrorResponse),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn create(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    body: crate::json::Json<CreateRoomRequest>,
) -> Result<Sent, ApiError> {
    let body = body.into_inner();
    let name = RoomName::parse(&body.name)?.into_inner();
    let visibility = Visibility::parse(&body.visibility).ok_or_else(|| ValidationError {
        field: "visibility",
        message: "visibility must be \"public\" or \"private\"".into(),
    })?;
    if body.members.len() > MAX_INITIAL_MEMBERS {
        return Err(ValidationError {
            field: "members",
            message: format!("at most {MAX_INITIAL_MEMBERS} initial members"),
        }
        .into());
    }
    let members = body
        .members
        .iter()
        .map(|m| Username::parse(m).map(Username::into_inner))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ValidationError {
            field: "members",
            message: e.message,
        })?;
    let command = Command::CreateRoom {
        room_id: RoomId::new(),
        name,
        visibility,
        members,
    };
    dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `mine` (the default): my rooms with my read state; `public`: public rooms I am not
    /// in, newest first (at most 200).
    #[param(value_type = Option<crate::openapi::RoomScope>)]
    scope: Option<String>,
}

/// `GET /api/rooms` (mine, with read state) or `?scope=public` (public rooms to join).
#[utoipa::path(
    get,
    path = "/api/rooms",
    operation_id = "list_rooms",
    tag = "rooms",
    summary = "My rooms, or public rooms to join",
    description = "Without `scope` (or `scope=mine`): `{rooms: [RoomSummary]}`, my rooms with \
                   `unread_count`, `last_read_seq` and `last_message`, ordered by the room's \
                   latest `seq`, highest first (sort by `last_message.created_at` for \
                   recency). With `scope=public`: `{rooms: [Room]}`, public rooms I am not \
                   a member of, newest first, at most 200.",
    params(ListQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The rooms (`RoomList` or `PublicRoomList`, by `scope`).",
            body = crate::openapi::RoomListing),
        (status = 400, description = "`validation_failed` (field `scope`).", body = ErrorResponse),
        (status = 401, description = ERR_UNAUTHENTICATED, body = ErrorResponse),
        (status = 503, description = ERR_UNAVAILABLE, body = ErrorResponse),
    )
)]
pub async fn list(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user_id;
    match query.scope.as_deref() {
        None | Some("mine") => {
            let rooms = blocking::with_conn(&state.db, move |c| my_rooms(c, user)).await?;
            Ok(HttpResponse::Ok().json(RoomList { rooms }))
        }
        Some("public") => {
            let rooms = blocking::with_conn(&state.db, move |c| {
                let rows = rooms::list_public_not_joined(c, user, 200)?;
                let ids: Vec<RoomId> = rows.iter().map(|r| r.id).collect();
                let counts = rooms::member_counts(c, &ids)?;
                Ok(rows
                    .iter()
                    .map(|r| views::room(r, counts.get(&r.id).copied().unwrap_or(0)))
                    .collect())
            })
            .await?;
            Ok(HttpResponse::Ok().json(PublicRoomList { rooms }))
        }
        Some(_) => Err(ValidationError {
            field: "scope",
            message: "scope must be \"public\" or \"mine\"".into(),
        }
        .into()),
    }
}

fn my_rooms(c: &mut parley_db::PgConnection, user: UserId) -> Result<Vec<RoomSummary>, ApiError> {
    let rows = members::rooms_of(c, user)?;
    let ids: Vec<RoomId> = rows.iter().map(|(r, _)| r.id).collect();
    let counts = rooms::member_counts(c, &ids)?;
    let mut last: HashMap<RoomId, _> = messages::last_of_rooms(c, &ids)?
        .into_iter()
        .map(|m| (m.room_id, m))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(room, membership)| RoomSummary {
            unread_count: (room.last_seq - membership.last_read_seq).max(0),
            last_read_seq: membership.last_read_seq,
            last_message: last.remove(&room.id),
            room: views::room(&room, counts.get(&room.id).copied().unwrap_or(0)),
        })
        .collect())
}

/// `GET /api/rooms/{id}`: members see any room of theirs; anyone sees a public room.
#[utoipa::path(
    get,
    path = "/api/rooms/{room_id}",
    operation_id = "get_room",
    tag = "rooms",
    summary = "A room with its members",
    description = "The room and its members in joining order. Members see any room of \
                   theirs; any authenticated user sees a public room.",
    params(("room_id" = Uuid, Path, description = "The room's id.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room with `members`.", body = RoomDetail),
        (status = 401, description = ERR_UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`not_a_member`: a private room I am not in.",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room (or not a UUID).",
            body = ErrorResponse),
        (status = 503, description = ERR_UNAVAILABLE, body = ErrorResponse),
    )
)]
pub async fn detail(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (room_id, user) = (RoomId::from(path.into_inner()), auth.user_id);
    let detail = blocking::with_conn(&state.db, move |c| {
        let room = rooms::find(c, room_id)?.ok_or_else(|| ApiError::not_found("room"))?;
        if room.visibility != "public" && !members::is_member(c, room_id, user)? {
            return Err(ApiError::new(
                ErrorCode::NotAMember,
                "you are not a member of this room",
            ));
        }
        let people = members::members(c, room_id)?;
        let count = i64::try_from(people.len()).unwrap_or(i64::MAX);
        Ok(RoomDetail {
            room: views::room(&room, count),
            members: people.iter().map(views::user).collect(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(detail))
}
