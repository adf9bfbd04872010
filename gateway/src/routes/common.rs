//! Checks and look-ups that more than one handler makes, each written once: a field that
//! breaks a rule, a room the caller may read, a user by username.

use crate::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use parley_db::rows::{RoomRow, UserRow};
use parley_db::{members, rooms, PgConnection};
use parley_schema::validate::ValidationError;
use parley_schema::{ErrorCode, RoomId, UserId};

/// `400 validation_failed` naming `field`.
pub(super) fn invalid(field: &'static str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ValidationError { field, message }.into()
}

/// The room, or `404 not_found`; with `members_only`, `403 not_a_member` unless `user` is
/// in it (else only a private room needs that).
pub(super) fn readable_room(
    c: &mut PgConnection,
    room_id: RoomId,
    user: UserId,
    members_only: bool,
) -> Result<RoomRow, ApiError> {
    let room = rooms::find(c, room_id)?.ok_or_else(|| ApiError::not_found("room"))?;
    if (members_only || room.visibility != "public") && !members::is_member(c, room_id, user)? {
        return Err(ApiError::new(
            ErrorCode::NotAMember,
            "you are not a member of this room",
        ));
    }
    Ok(room)
}

/// The live user whose username matches `key` (see `username_key`), if any.
pub(super) async fn user_by_key(
    state: &AppState,
    key: String,
) -> Result<Option<UserRow>, ApiError> {
    // Postgres text cannot hold NUL, so no name has one, and asking would be an error.
    if key.contains('\0') {
        return Ok(None);
    }
    blocking::with_conn(&state.db, move |c| {
        Ok(parley_db::users::find_by_key(c, &key)?)
    })
    .await
}
