//! Rooms: create, list mine or public ones, show one with its members.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Wait};
use crate::error::ApiError;
use crate::prefer;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_db::{members, messages, rooms, views};
use parley_schema::command::Command;
use parley_schema::model::{PublicRoomList, RoomDetail, RoomList, RoomSummary, Visibility};
use parley_schema::requests::CreateRoomRequest;
use parley_schema::validate::{RoomName, Username, ValidationError};
use parley_schema::{ErrorCode, RoomId};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

const MAX_INITIAL_MEMBERS: usize = 100;

/// `POST /api/rooms`.
#[tracing::instrument(skip_all, fields(user = %auth.user_id))]
pub async fn create(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateRoomRequest>,
) -> Result<HttpResponse, ApiError> {
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
    dispatch::submit(
        &state,
        &auth,
        command,
        Wait::from_prefer(prefer::wait(&req)),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    scope: Option<String>,
}

/// `GET /api/rooms` (mine, with read state) or `?scope=public` (public rooms to join).
pub async fn list(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user_id.0;
    match query.scope.as_deref() {
        None | Some("mine") => {
            let rooms = blocking::with_conn(&state.db, move |c| my_rooms(c, user)).await?;
            Ok(HttpResponse::Ok().json(RoomList { rooms }))
        }
        Some("public") => {
            let rooms = blocking::with_conn(&state.db, move |c| {
                let rows = rooms::list_public_not_joined(c, user, 200)?;
                let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
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

fn my_rooms(c: &mut parley_db::PgConnection, user: Uuid) -> Result<Vec<RoomSummary>, ApiError> {
    let rows = members::rooms_of(c, user)?;
    let ids: Vec<Uuid> = rows.iter().map(|(r, _)| r.id).collect();
    let counts = rooms::member_counts(c, &ids)?;
    let mut last: HashMap<Uuid, _> = messages::last_of_rooms(c, &ids)?
        .into_iter()
        .map(|m| (m.room_id.0, m))
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
pub async fn detail(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (room_id, user) = (path.into_inner(), auth.user_id.0);
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
