//! Checks and look-ups that more than one handler makes, each written once: a field that
//! breaks a rule, a room the caller may read, a user by username, a page cursor.

use crate::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use parley_db::rows::{RoomRow, UserRow};
use parley_db::{members, rooms, PgConnection};
use parley_schema::validate::ValidationError;
use parley_schema::{ErrorCode, RoomId, UserId};
use uuid::Uuid;

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

/// A page cursor's `<microseconds>.<uuid in simple form>`: where a row of a newest-first
/// list stands (its time, then its id).
pub(super) fn encode_time_id(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}.{}", at.timestamp_micros(), id.simple())
}

/// [`encode_time_id`] read back; `None` for anything it does not write (at most 18
/// digits, never negative: a time Postgres can hold).
pub(super) fn decode_time_id(s: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let (micros, id) = s.split_once('.')?;
    if micros.is_empty() || micros.len() > 18 || !micros.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let at = DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?;
    let id = Uuid::parse_str(id).ok().filter(|_| id.len() == 32)?;
    Some((at, id))
}
