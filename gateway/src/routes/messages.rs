//! Messages: history pages (also the polling mode) and sending.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Wait};
use crate::error::ApiError;
use crate::prefer;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_db::{members, messages, rooms};
use parley_schema::command::Command;
use parley_schema::model::MessageList;
use parley_schema::requests::SendMessageRequest;
use parley_schema::validate::{ClientId, MessageBody, ValidationError};
use parley_schema::{ErrorCode, MessageId, RoomId};
use serde::Deserialize;
use uuid::Uuid;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    after: Option<i64>,
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/rooms/{id}/messages?after=&before=&limit=`: members only, ascending by seq.
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
    let (room_id, user) = (path.into_inner(), auth.user_id.0);
    let (after, before) = (query.after, query.before);
    let page = blocking::with_conn(&state.db, move |c| {
        rooms::find(c, room_id)?.ok_or_else(|| ApiError::not_found("room"))?;
        if !members::is_member(c, room_id, user)? {
            return Err(ApiError::new(
                ErrorCode::NotAMember,
                "you are not a member of this room",
            ));
        }
        Ok(messages::page(c, room_id, after, before, limit)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(MessageList { messages: page }))
}

fn invalid(field: &'static str, message: String) -> ApiError {
    ValidationError { field, message }.into()
}

/// `POST /api/rooms/{id}/messages`.
#[tracing::instrument(skip_all, fields(user = %auth.user_id))]
pub async fn send(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<SendMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    if let Err(retry) = state.send_limiter.check(auth.user_id) {
        return Err(ApiError::rate_limited(retry));
    }
    let body = body.into_inner();
    let text = MessageBody::parse(&body.body)?.into_inner();
    let client_id = body
        .client_id
        .as_deref()
        .map(ClientId::parse)
        .transpose()?
        .map(ClientId::into_inner);
    let command = Command::SendMessage {
        room_id: RoomId(path.into_inner()),
        message_id: MessageId::new(),
        body: text,
        client_id,
    };
    dispatch::submit(
        &state,
        &auth,
        command,
        Wait::from_prefer(prefer::wait(&req)),
    )
    .await
}
