//! The saved-messages drawer.

use crate::auth::AuthUser;
use crate::blocking;
use crate::dispatch::{self, Wait};
use crate::error::ApiError;
use crate::prefer;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::model::SavedList;
use parley_schema::MessageId;
use uuid::Uuid;

const SAVED_LIMIT: i64 = 500;

/// `GET /api/saved`: newest saved first.
pub async fn list(auth: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let user = auth.user_id.0;
    let saved = blocking::with_conn(&state.db, move |c| {
        Ok(parley_db::saved::list(c, user, SAVED_LIMIT)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SavedList { saved }))
}

/// `PUT /api/saved/{message_id}`.
pub async fn save(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let command = Command::SaveMessage {
        message_id: MessageId(path.into_inner()),
    };
    dispatch::submit(
        &state,
        &auth,
        command,
        Wait::from_prefer(prefer::wait(&req)),
    )
    .await
}

/// `DELETE /api/saved/{message_id}`.
pub async fn unsave(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let command = Command::UnsaveMessage {
        message_id: MessageId(path.into_inner()),
    };
    dispatch::submit(
        &state,
        &auth,
        command,
        Wait::from_prefer(prefer::wait(&req)),
    )
    .await
}
