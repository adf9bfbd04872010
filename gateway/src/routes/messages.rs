//! Messages: history pages (also the polling mode) and sending.

use super::common::{invalid, readable_room};
use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Sent, Wait};
use crate::error::ApiError;
use crate::openapi::{Authenticated, BadRequest, PreferWait, Queued, TooLarge};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_db::{extras, messages};
use parley_schema::command::Command;
use parley_schema::error::ErrorResponse;
use parley_schema::model::{Message, MessageList};
use parley_schema::requests::SendMessageRequest;
use parley_schema::validate::{ClientId, MessageBody};
use parley_schema::{MessageId, RoomId};
use serde::Deserialize;
use uuid::Uuid;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only messages with a `seq` above this one: the oldest `limit` of them (polling).
    #[param(minimum = 0)]
    after: Option<i64>,
    /// Only messages with a `seq` below this one (paging back); without `after`, the
    /// newest `limit` of them.
    #[param(minimum = 0)]
    before: Option<i64>,
    /// How many messages at most.
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
}

/// `GET /api/rooms/{id}/messages?after=&before=&limit=`: members only, ascending by seq.
#[utoipa::path(
    get,
    path = "/api/rooms/{room_id}/messages",
    operation_id = "list_messages",
    tag = "messages",
    summary = "A page of history",
    description = "Messages ascending by `seq`. Without `after`: the newest `limit` (default \
                   50), below `before` when given. With `after`: the oldest `limit` above it, \
                   below `before` when given (what a polling client asks for: pass the last \
                   `seq` it has). Members only, public rooms too.",
    params(("room_id" = Uuid, Path, description = "The room's id."), HistoryQuery),
    responses(
        Authenticated,
        (status = 200, description = "The page.", body = MessageList),
        (status = 400, description = "`validation_failed`: field `limit` (1-200), `after` \
            or `before` (not negative), or `query` (not an integer).", body = ErrorResponse),
        (status = 403, description = "`not_a_member`.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room.", body = ErrorResponse),
    )
)]
pub async fn history(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid("limit", format!("limit must be 1 to {MAX_LIMIT}")));
    }
    for (field, v) in [("after", query.after), ("before", query.before)] {
        if v.is_some_and(|v| v < 0) {
            return Err(invalid(field, format!("{field} must not be negative")));
        }
    }
    let (room_id, user) = (RoomId::from(path.into_inner()), auth.user_id);
    let (after, before) = (query.after, query.before);
    let page = blocking::with_conn(&state.db, move |c| {
        readable_room(c, room_id, user, true)?;
        let mut page = messages::page(c, room_id, after, before, limit)?;
        extras::decorate(c, &mut page, Some(user))?;
        Ok(page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(MessageList { messages: page }))
}

/// `POST /api/rooms/{id}/messages`.
#[utoipa::path(
    post,
    path = "/api/rooms/{room_id}/messages",
    operation_id = "send_message",
    tag = "messages",
    summary = "Send a message",
    description = "Stores a message with the room's next `seq`; the body is trimmed. Members \
                   only. A `client_id` already used by the same user (in any room) makes no \
                   second message: the answer is the message stored first. Sending marks the \
                   message read for the sender. Every member's streams get a `message` event. \
                   With `reply_to` (a message of the same room), the message quotes it \
                   (`reply_to`: author, first 140 characters, or `deleted`); an unknown \
                   message or one of another room is `validation_failed` (field `reply_to`). \
                   `@nickname`s of the room's members become `mentions`. \
                   Rate-limited per user and gateway (`PARLEY_SEND_RATE` per second, bursts \
                   of `PARLEY_SEND_BURST`).",
    params(("room_id" = Uuid, Path, description = "The room's id."), PreferWait),
    request_body = SendMessageRequest,
    responses(
        Queued, Authenticated, BadRequest, TooLarge,
        (status = 201, description = "With `Prefer: wait`: the stored message.", body = Message),
        (status = 403, description = "`not_a_member`.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room.", body = ErrorResponse),
        (status = 429, description = "`rate_limited`: sending too fast.", body = ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds until a message may be sent."))),
    )
)]
#[tracing::instrument(skip_all, fields(user = %auth.user_id, request_id))]
pub async fn send(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: crate::json::Json<SendMessageRequest>,
) -> Result<Sent, ApiError> {
    let body = body.into_inner();
    let text = MessageBody::parse(&body.body)?.into_inner();
    let client_id = body
        .client_id
        .as_deref()
        .map(ClientId::parse)
        .transpose()?
        .map(ClientId::into_inner);
    let room_id = RoomId(path.into_inner());
    let command = Command::SendMessage {
        room_id,
        message_id: MessageId::new(),
        body: text,
        client_id,
        reply_to: body.reply_to,
    };
    let sent = dispatch::submit(&state, &auth, command, Wait::preferred(&req)).await;
    if sent.is_ok() {
        super::signals::stop_typing(&state, &auth, room_id);
    }
    sent
}
