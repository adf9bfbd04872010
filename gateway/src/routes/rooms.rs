//! Rooms: create, list mine or public ones, show one with its members.

use super::common::{invalid, readable_room};
use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, BadRequest, PreferWait, Queued, TooLarge};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_db::rows::RoomRow;
use parley_db::{extras, members, messages, rooms, views, PgConnection};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::{PublicRoomList, Room, RoomDetail, RoomList, RoomSummary, Visibility};
use parley_schema::requests::CreateRoomRequest;
use parley_schema::validate::{RoomName, Username};
use parley_schema::{RoomId, UserId};
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
    params(PreferWait),
    responses(
        Queued, Authenticated, BadRequest, TooLarge,
        (status = 201, description = "With `Prefer: wait`: the new room.", body = Room),
        (status = 404, description = "`not_found`: a user named in `members` does not exist \
            (nothing is created).", body = ErrorResponse),
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
    let visibility: Visibility = (body.visibility.parse())
        .map_err(|_| invalid("visibility", "visibility must be \"public\" or \"private\""))?;
    if body.members.len() > MAX_INITIAL_MEMBERS {
        let message = format!("at most {MAX_INITIAL_MEMBERS} initial members");
        return Err(invalid("members", message));
    }
    let members = body
        .members
        .iter()
        .map(|m| Username::parse(m).map(Username::into_inner))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid("members", e.message))?;
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
                   `unread_count`, `mention_count` (unread messages that mention me), \
                   `muted`, `last_read_seq` and `last_message`, ordered by the room's \
                   latest `seq`, highest first (sort by `last_message.created_at` for \
                   recency). With `scope=public`: `{rooms: [Room]}`, public rooms I am not \
                   a member of, newest first, at most 200.",
    params(ListQuery),
    responses(
        Authenticated,
        (status = 200, description = "The rooms (`RoomList` or `PublicRoomList`, by `scope`).",
            body = crate::openapi::RoomListing),
        (status = 400, description = "`validation_failed` (field `scope`).", body = ErrorResponse),
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
                counted(c, &rows)
            })
            .await?;
            Ok(HttpResponse::Ok().json(PublicRoomList { rooms }))
        }
        Some(_) => Err(invalid("scope", "scope must be \"public\" or \"mine\"")),
    }
}

/// My rooms with my read state in each.
pub(crate) fn my_rooms(c: &mut PgConnection, user: UserId) -> Result<Vec<RoomSummary>, ApiError> {
    let (rows, marks): (Vec<RoomRow>, Vec<_>) = members::rooms_of(c, user)?.into_iter().unzip();
    let ids: Vec<RoomId> = rows.iter().map(|r| r.id).collect();
    let mut lasts = messages::last_of_rooms(c, &ids)?;
    extras::decorate(c, &mut lasts, Some(user))?;
    let mut last: HashMap<RoomId, _> = lasts.into_iter().map(|m| (m.room_id, m)).collect();
    let mentions = messages::mention_counts(c, user)?;
    let summaries = rows.iter().zip(marks).zip(counted(c, &rows)?);
    Ok(summaries
        .map(|((row, membership), room)| RoomSummary {
            unread_count: (row.last_seq - membership.last_read_seq).max(0),
            last_read_seq: membership.last_read_seq,
            last_message: last.remove(&row.id),
            mention_count: mentions.get(&row.id).copied().unwrap_or(0),
            muted: membership.muted,
            room,
        })
        .collect())
}

/// Each room's wire view with its member count, in the order given.
fn counted(c: &mut PgConnection, rows: &[RoomRow]) -> Result<Vec<Room>, ApiError> {
    let ids: Vec<RoomId> = rows.iter().map(|r| r.id).collect();
    let counts = rooms::member_counts(c, &ids)?;
    let count = |r: &RoomRow| counts.get(&r.id).copied().unwrap_or(0);
    Ok(rows.iter().map(|r| views::room(r, count(r))).collect())
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
    responses(
        Authenticated,
        (status = 200, description = "The room with `members`.", body = RoomDetail),
        (status = 403, description = "`not_a_member`: a private room I am not in.",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room (or not a UUID).",
            body = ErrorResponse),
    )
)]
pub async fn detail(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (room_id, user) = (RoomId::from(path.into_inner()), auth.user_id);
    let detail = blocking::with_conn(&state.db, move |c| {
        let room = readable_room(c, room_id, user, false)?;
        let people = members::members(c, room_id)?;
        let count = i64::try_from(people.len()).unwrap_or(i64::MAX);
        Ok(RoomDetail {
            room: views::room(&room, count),
            members: people.iter().map(views::user).collect(),
        })
    })
    .await?;
    let mut detail = detail;
    for member in &mut detail.members {
        member.presence = Some(state.hub.presence_for(auth.user_id, member.id));
    }
    Ok(HttpResponse::Ok().json(detail))
}
