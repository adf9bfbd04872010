//! `GET /api/sync`: everything a client starts with in one call, and the stream cursor to
//! continue from. The cursor is taken before the reads: an event that happens during them
//! also arrives on the stream, and the client drops what it already has by id or `seq`.

use super::common::invalid;
use super::friends::with_presence;
use super::rooms::my_rooms;
use crate::auth::AuthUser;
use crate::blocking;
use crate::error::ApiError;
use crate::openapi::Authenticated;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use parley_db::{extras, messages, PgConnection};
use parley_schema::error::ErrorResponse;
use parley_schema::model::{RoomMessages, RoomSummary, SyncState};
use parley_schema::UserId;
use serde::Deserialize;

const DEFAULT_ROOMS: i64 = 20;
const MAX_ROOMS: i64 = 50;
const DEFAULT_MESSAGES: i64 = 50;
const MAX_MESSAGES: i64 = 100;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// The most recently active rooms whose latest messages to include (0 to 50,
    /// default 20).
    #[param(minimum = 0, maximum = 50)]
    pub rooms: Option<i64>,
    /// The latest messages per such room (0 to 100, default 50).
    #[param(minimum = 0, maximum = 100)]
    pub messages: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/sync",
    operation_id = "sync",
    tag = "events",
    summary = "Start (or restart after `reset`) in one call",
    description = "My profile, my rooms (with unread and mention counts and read markers), \
                   my friends and my pending invitations, the latest `messages` messages of \
                   my `rooms` most recently active rooms, and `cursor`: open \
                   `GET /api/events?cursor=` with it. The cursor is taken before the reads, \
                   so an event that happens during them is on the stream too (drop it by \
                   message id or `seq` if you have it) and none falls between the two.",
    params(SyncQuery),
    responses(
        Authenticated,
        (status = 200, description = "The state, and the cursor after it.", body = SyncState),
        (status = 400, description = "`validation_failed` (field `rooms` or `messages`: out \
            of range; or `query`: not an integer).", body = ErrorResponse),
    )
)]
pub async fn sync(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<SyncQuery>,
) -> Result<HttpResponse, ApiError> {
    let rooms = query.rooms.unwrap_or(DEFAULT_ROOMS);
    let per_room = query.messages.unwrap_or(DEFAULT_MESSAGES);
    if !(0..=MAX_ROOMS).contains(&rooms) {
        return Err(invalid("rooms", format!("rooms must be 0 to {MAX_ROOMS}")));
    }
    if !(0..=MAX_MESSAGES).contains(&per_room) {
        let message = format!("messages must be 0 to {MAX_MESSAGES}");
        return Err(invalid("messages", message));
    }
    // First the cursor: every event up to it was applied in Postgres before it was
    // published, so the reads below see at least as much as it says.
    let cursor = state.hub.cursor();
    let user = auth.user_id;
    let (summaries, friends, invitations, latest) = blocking::with_conn(&state.db, move |c| {
        let summaries = my_rooms(c, user)?;
        let latest = latest_messages(c, user, &summaries, rooms, per_room)?;
        let friends = parley_db::friends::list(c, user)?;
        let invitations = parley_db::invitations::list(c, user)?;
        Ok((summaries, friends, invitations, latest))
    })
    .await?;
    Ok(HttpResponse::Ok().json(SyncState {
        cursor,
        me: auth.user,
        rooms: summaries,
        friends: with_presence(&state, user, &friends),
        invitations,
        messages: latest,
    }))
}

/// The latest `per_room` messages of the `rooms` most recently active of `summaries`.
fn latest_messages(
    c: &mut PgConnection,
    user: UserId,
    summaries: &[RoomSummary],
    rooms: i64,
    per_room: i64,
) -> Result<Vec<RoomMessages>, ApiError> {
    if per_room == 0 {
        return Ok(Vec::new());
    }
    let mut recent: Vec<&RoomSummary> = summaries.iter().collect();
    let active = |s: &RoomSummary| s.last_message.as_ref().map(|m| m.created_at);
    recent.sort_by_key(|s| std::cmp::Reverse(active(s)));
    let mut out = Vec::new();
    for summary in recent.into_iter().take(rooms as usize) {
        let room_id = summary.room.id;
        let mut page = messages::page(c, room_id, None, None, per_room)?;
        extras::decorate(c, &mut page, Some(user))?;
        // Seqs have no gaps (a deleted message keeps its tombstone) and start at 1.
        let has_more = page.first().is_some_and(|m| m.seq > 1);
        out.push(RoomMessages {
            room_id,
            messages: page,
            has_more,
        });
    }
    Ok(out)
}
