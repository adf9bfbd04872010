//! What a command came to, as the worker decides it, and the one mapping from that outcome
//! to the HTTP status a `result` event carries (beside [`ErrorCode::status`], which it
//! uses for refusals). Nothing below the gateway speaks HTTP but this function.

use crate::error::{ErrorBody, ErrorCode};
use crate::model::{Message, ReadMarker, Room, RoomSettings, Settings, User};
use serde::Serialize;

/// The resource a command answers with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Resource {
    Message(Message),
    Room(Room),
    User(User),
    Read(ReadMarker),
    Settings(Settings),
    RoomSettings(RoomSettings),
    Invitation(crate::social::Invitation),
}

/// A command's domain outcome. Serialised, it is the `body` of the `result` event: the
/// resource, the error object, or `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    /// The resource now exists: new, or found stored under the same `client_id`.
    Created(Resource),
    /// An existing resource changed.
    Updated(Resource),
    /// Done; there is nothing to show.
    Done,
    /// A rule refused the command; nothing was stored.
    Refused(ErrorBody),
}

impl Outcome {
    /// The HTTP status of the outcome.
    pub fn status(&self) -> u16 {
        match self {
            Self::Created(_) => 201,
            Self::Updated(_) => 200,
            Self::Done => 204,
            Self::Refused(err) => err.code.status(),
        }
    }

    /// A refusal with `code` and `message`.
    pub fn refused(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused(ErrorBody::new(code, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReadMarker;
    use crate::RoomId;

    #[test]
    fn each_outcome_maps_to_its_status_and_body() {
        let marker = ReadMarker {
            room_id: RoomId::new(),
            last_read_seq: 3,
            unread_count: 1,
        };
        let refused = Outcome::refused(ErrorCode::NotAMember, "no");
        let cases = [
            (Outcome::Created(Resource::Read(marker.clone())), 201),
            (Outcome::Updated(Resource::Read(marker.clone())), 200),
            (Outcome::Done, 204),
            (refused, 403),
        ];
        for (outcome, status) in cases {
            assert_eq!(outcome.status(), status, "{outcome:?}");
        }
        let json = |o: &Outcome| serde_json::to_value(o).unwrap_or_default();
        assert_eq!(json(&Outcome::Done), serde_json::Value::Null);
        assert_eq!(
            json(&Outcome::Updated(Resource::Read(marker.clone()))),
            serde_json::to_value(&marker).unwrap_or_default()
        );
        assert_eq!(
            json(&Outcome::refused(ErrorCode::NotFound, "gone"))["code"],
            "not_found"
        );
    }
}
