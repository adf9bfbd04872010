//! `GET /api/me/activity`: my sign-ins and security events, as the audit trail recorded
//! them, and the one mapping from an audit row's command kind to what the page shows.

use crate::ids::{RequestId, SessionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened to my account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActivityKind {
    AccountCreated,
    SignIn,
    /// A session logged itself out.
    SignOut,
    /// A session was ended from another one.
    SessionRevoked,
    OtherSessionsRevoked,
    PasswordChanged,
    /// An operator suspended the account.
    Suspended,
    /// An operator lifted the suspension.
    Reinstated,
}

impl ActivityKind {
    /// The audit trail's command kinds that are security events.
    pub const AUDIT_KINDS: [&'static str; 7] = [
        "register",
        "open_session",
        "close_session",
        "close_other_sessions",
        "change_password",
        "suspend_user",
        "reinstate_user",
    ];

    /// The activity of an audit row of `kind`; `closed` is the session a `close_session`
    /// ended and `acting` the session it came through.
    pub fn of(kind: &str, closed: Option<SessionId>, acting: Option<SessionId>) -> Option<Self> {
        Some(match kind {
            "register" => Self::AccountCreated,
            "open_session" => Self::SignIn,
            "close_session" if closed.is_some() && closed == acting => Self::SignOut,
            "close_session" => Self::SessionRevoked,
            "close_other_sessions" => Self::OtherSessionsRevoked,
            "change_password" => Self::PasswordChanged,
            "suspend_user" => Self::Suspended,
            "reinstate_user" => Self::Reinstated,
            _ => return None,
        })
    }
}

/// One event of my account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityItem {
    /// When it took effect.
    pub at: DateTime<Utc>,
    pub kind: ActivityKind,
    /// The HTTP status of its outcome: 400 and above means it was refused (a sign-in of a
    /// suspended account, say).
    pub status: u16,
    pub request_id: RequestId,
    /// The session signed in, out or revoked; for the others, the session it came from.
    pub session_id: Option<SessionId>,
    /// `session_id` is the session of this request.
    pub this_session: bool,
    /// A sign-in's `User-Agent`.
    pub user_agent: Option<String>,
    /// A sign-in's client address.
    pub ip: Option<String>,
    /// An operator did it.
    pub by_operator: bool,
}

/// A page of my activity, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityPage {
    pub items: Vec<ActivityItem>,
    /// Pass as `before` for older items; `null` when there are none.
    pub next_before: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_closing_itself_is_a_sign_out_and_another_a_revocation() {
        let (a, b) = (SessionId::new(), SessionId::new());
        assert_eq!(
            ActivityKind::of("close_session", Some(a), Some(a)),
            Some(ActivityKind::SignOut)
        );
        assert_eq!(
            ActivityKind::of("close_session", Some(a), Some(b)),
            Some(ActivityKind::SessionRevoked)
        );
        assert_eq!(ActivityKind::of("send_message", None, None), None);
        for kind in ActivityKind::AUDIT_KINDS {
            assert!(ActivityKind::of(kind, None, None).is_some(), "{kind}");
        }
    }
}
