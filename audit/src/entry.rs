//! One command as the audit trail records it: who, what kind, the ids it touched and its
//! outcome. The subject keeps only the allowed fields of the command, so a field added to
//! a command later (a text, a secret) stays out of the trail until it is listed here.

use chrono::{DateTime, Utc};
use parley_db::audit::AuditRow;
use parley_schema::command::{Command, CommandEnvelope};
use serde_json::{Map, Value};

/// The command fields that may enter the trail: ids, names of people, flags and the
/// device of a sign-in. Never a message body, a room name, a profile text or a hash.
const ALLOWED: &[&str] = &[
    "user_id",
    "username",
    "session_id",
    "keep",
    "room_id",
    "message_id",
    "invitation_id",
    "reply_to",
    "visibility",
    "members",
    "emoji",
    "on",
    "seq",
    "muted",
    "share_read_receipts",
    "share_presence",
    "user_agent",
    "ip",
];

/// The audit row of `env`, applied at `at` with `status`.
pub fn row(env: &CommandEnvelope, status: i16, at: DateTime<Utc>) -> AuditRow {
    let (kind, operator) = match &env.command {
        Command::Moderate {
            operator, action, ..
        } => (action.kind(), Some(operator.clone())),
        other => (other.kind(), None),
    };
    AuditRow {
        at,
        request_id: env.request_id,
        issued_at: env.issued_at,
        actor_id: env.actor,
        session_id: env.session_id,
        operator,
        gateway_id: env.gateway_id.clone(),
        kind: kind.to_owned(),
        subject: subject(&env.command),
        status,
    }
}

/// The ids and flags `command` touched.
pub fn subject(command: &Command) -> Value {
    let mut out = Map::new();
    match command {
        Command::Moderate { reason, action, .. } => {
            keep_allowed(serde_json::to_value(action), &mut out);
            out.insert("reason".into(), Value::from(reason.as_str()));
        }
        Command::UpdateProfile {
            display_name,
            status_message,
        } => {
            let changed = [
                ("display_name", display_name),
                ("status_message", status_message),
            ];
            let names: Vec<&str> = (changed.iter())
                .filter(|(_, v)| v.is_some())
                .map(|(n, _)| *n)
                .collect();
            out.insert("changed".into(), Value::from(names));
        }
        other => keep_allowed(serde_json::to_value(other), &mut out),
    }
    Value::Object(out)
}

fn keep_allowed(json: Result<Value, serde_json::Error>, out: &mut Map<String, Value>) {
    if let Ok(Value::Object(fields)) = json {
        for (k, v) in fields {
            if ALLOWED.contains(&k.as_str()) {
                out.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_schema::moderation::Moderation;
    use parley_schema::{MessageId, RequestId, RoomId, SessionId, UserId};

    fn envelope(command: Command) -> CommandEnvelope {
        CommandEnvelope {
            request_id: RequestId::new(),
            actor: Some(UserId::new()),
            session_id: Some(SessionId::new()),
            gateway_id: "g1".into(),
            issued_at: Utc::now(),
            result_wanted: true,
            command,
        }
    }

    #[test]
    fn texts_and_secrets_never_enter_the_trail() {
        let room_id = RoomId::new();
        let commands = [
            Command::SendMessage {
                room_id,
                message_id: MessageId::new(),
                body: "SECRET-BODY".into(),
                client_id: Some("SECRET-CLIENT".into()),
                reply_to: None,
            },
            Command::EditMessage {
                room_id,
                message_id: MessageId::new(),
                body: "SECRET-BODY".into(),
            },
            Command::ChangePassword {
                password_hash: "SECRET-HASH".into(),
                keep: SessionId::new(),
            },
            Command::OpenSession {
                session_id: SessionId::new(),
                token_hash: "SECRET-HASH".into(),
                user_agent: "curl/8".into(),
                ip: Some("127.0.0.1".into()),
            },
            Command::UpdateProfile {
                display_name: None,
                status_message: Some("SECRET-STATUS".into()),
            },
            Command::CreateRoom {
                room_id,
                name: "SECRET-NAME".into(),
                visibility: parley_schema::model::Visibility::Private,
                members: vec!["bob".into()],
            },
        ];
        for command in commands {
            let row = row(&envelope(command), 201, Utc::now());
            let text = row.subject.to_string();
            assert!(!text.contains("SECRET"), "{} leaked: {text}", row.kind);
            assert!(
                row.subject.as_object().is_some_and(|o| !o.is_empty()),
                "{text}"
            );
        }
    }

    #[test]
    fn a_sign_in_keeps_its_device_and_a_profile_change_names_its_fields() {
        let session_id = SessionId::new();
        let open = row(
            &envelope(Command::OpenSession {
                session_id,
                token_hash: "h".into(),
                user_agent: "curl/8".into(),
                ip: Some("127.0.0.1".into()),
            }),
            201,
            Utc::now(),
        );
        assert_eq!(open.kind, "open_session");
        assert_eq!(open.subject["session_id"], session_id.to_string());
        assert_eq!(open.subject["user_agent"], "curl/8");
        assert_eq!(open.subject["ip"], "127.0.0.1");
        let profile = subject(&Command::UpdateProfile {
            display_name: Some("x".into()),
            status_message: None,
        });
        assert_eq!(profile, serde_json::json!({"changed": ["display_name"]}));
    }

    #[test]
    fn moderation_is_recorded_as_its_action_by_its_operator() {
        let user_id = UserId::new();
        let mut env = envelope(Command::Moderate {
            operator: "ops".into(),
            reason: "spam".into(),
            action: Moderation::SuspendUser { user_id },
        });
        env.actor = None;
        env.session_id = None;
        let row = row(&env, 204, Utc::now());
        assert_eq!(row.kind, "suspend_user");
        assert_eq!(row.operator.as_deref(), Some("ops"));
        assert_eq!(
            row.subject,
            serde_json::json!({"user_id": user_id.to_string(), "reason": "spam"})
        );
    }
}
