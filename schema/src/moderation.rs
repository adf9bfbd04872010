//! Operator moderation: what `parley-admin` asks of the worker, through the same commands
//! topic as everything else (so each action is applied in order with the rest, and
//! audited like the rest). Nothing in the gateway builds these: only an operator with
//! access to Kafka and Postgres can.

use crate::ids::{MessageId, RoomId, UserId};
use serde::{Deserialize, Serialize};
use strum::IntoStaticStr;

/// One moderation action. Its `kind` names it in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Moderation {
    /// Deletes a message whoever wrote it, leaving a tombstone; it leaves search too.
    RemoveMessage {
        room_id: RoomId,
        message_id: MessageId,
    },
    /// Suspends an account: its sessions end (their streams close) and signing in is
    /// refused with `account_suspended` until it is reinstated.
    SuspendUser { user_id: UserId },
    /// Lifts a suspension.
    ReinstateUser { user_id: UserId },
    /// Closes a room for good: its members are told it is gone, and its messages leave
    /// history and search.
    CloseRoom { room_id: RoomId },
}

impl Moderation {
    /// The room acted on, for the Kafka key (in order with the room's other commands).
    pub fn room_id(&self) -> Option<RoomId> {
        match self {
            Self::RemoveMessage { room_id, .. } | Self::CloseRoom { room_id } => Some(*room_id),
            Self::SuspendUser { .. } | Self::ReinstateUser { .. } => None,
        }
    }

    /// The account acted on, for the Kafka key (in order with that user's sign-ins).
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Self::SuspendUser { user_id } | Self::ReinstateUser { user_id } => Some(*user_id),
            Self::RemoveMessage { .. } | Self::CloseRoom { .. } => None,
        }
    }

    /// The action's name: `remove_message`, `suspend_user`, `reinstate_user`, `close_room`.
    pub fn kind(&self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_name_their_target_and_kind() {
        let user = UserId::new();
        let room = RoomId::new();
        let suspend = Moderation::SuspendUser { user_id: user };
        assert_eq!((suspend.user_id(), suspend.room_id()), (Some(user), None));
        assert_eq!(suspend.kind(), "suspend_user");
        let close = Moderation::CloseRoom { room_id: room };
        assert_eq!((close.user_id(), close.room_id()), (None, Some(room)));
        let json = serde_json::to_value(&close).unwrap_or_default();
        assert_eq!(json["type"], "close_room");
    }
}
