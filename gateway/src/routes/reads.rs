//! Read markers: `PUT /api/rooms/{id}/read`.

use crate::auth::AuthUser;
use crate::dispatch::{self, Wait};
use crate::error::ApiError;
use crate::prefer;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::command::Command;
use parley_schema::requests::MarkReadRequest;
use parley_schema::validate::ValidationError;
use parley_schema::RoomId;
use uuid::Uuid;

/// `PUT /api/rooms/{id}/read`: move my read marker forward.
pub async fn mark_read(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<MarkReadRequest>,
) -> Result<HttpResponse, ApiError> {
    if body.seq < 0 {
        return Err(ValidationError {
            field: "seq",
            message: "seq must not be negative".into(),
        }
        .into());
    }
    let command = Command::MarkRead {
        room_id: RoomId(path.into_inner()),
        seq: body.seq,
    };
    dispatch::submit(
        &state,
        &auth,
        command,
        Wait::from_prefer(prefer::wait(&req)),
    )
    .await
}
