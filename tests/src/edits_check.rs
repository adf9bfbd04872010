//! Edits and deletes in the crash suite's traffic: what each edited message must end as,
//! and whether a stream got every `message_updated` once, in the order they were applied,
//! each after the message it changes.

use crate::check::Delivered;
use crate::sse::EventStream;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// What happened to one message after it was sent, as acknowledged (202 or better).
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub room: String,
    /// The bodies of its acknowledged edits, in the order they were sent.
    pub edits: Vec<String>,
    pub deleted: bool,
}

impl Changes {
    /// The `message_updated` events its members must get, in order: `(body, deleted)`.
    pub fn expected(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = self.edits.iter().map(|b| (b.clone(), false)).collect();
        if self.deleted {
            out.push((String::new(), true));
        }
        out
    }
}

/// A `message_updated` event as a stream delivered it.
#[derive(Debug, Clone)]
pub struct Update {
    pub event_id: Option<String>,
    pub message: String,
    pub body: String,
    pub deleted: bool,
    /// Whether the stream had delivered the message itself before.
    pub after_its_message: bool,
}

/// Reads a stream until `messages` message events and `updates` message_updated events
/// arrived, or nothing came for `idle`.
pub async fn collect_with_updates(
    mut stream: EventStream,
    messages: usize,
    updates: usize,
    idle: Duration,
) -> (Vec<Delivered>, Vec<Update>) {
    let (mut got, mut changed) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    while got.len() < messages || changed.len() < updates {
        let Some(ev) = stream.next(idle).await else {
            break;
        };
        let data = ev.json();
        match ev.event.as_str() {
            "message" => {
                let d = Delivered::from_json(&data);
                seen.insert(d.id.clone());
                got.push(d);
            }
            "message_updated" => {
                let message = data["id"].as_str().unwrap_or_default().to_owned();
                changed.push(Update {
                    event_id: ev.id.clone(),
                    after_its_message: seen.contains(&message),
                    message,
                    body: data["body"].as_str().unwrap_or_default().to_owned(),
                    deleted: data["deleted"] == true,
                });
            }
            _ => {}
        }
    }
    (got, changed)
}

/// What was wrong with one stream's updates.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UpdateCheck {
    pub delivered: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub out_of_order: usize,
    pub before_message: usize,
}

impl UpdateCheck {
    pub fn is_clean(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.out_of_order == 0 && self.before_message == 0
    }
}

/// Checks a stream's updates against the changes of the messages of `room`.
pub fn check_updates(
    got: &[Update],
    room: &str,
    changes: &HashMap<String, Changes>,
) -> UpdateCheck {
    let mut c = UpdateCheck {
        delivered: got.len(),
        ..Default::default()
    };
    let mut ids = HashSet::new();
    let mut by_message: HashMap<&str, Vec<(String, bool)>> = HashMap::new();
    for u in got {
        if u.event_id
            .as_ref()
            .is_some_and(|id| !ids.insert(id.clone()))
        {
            c.duplicated += 1;
            continue;
        }
        if !u.after_its_message {
            c.before_message += 1;
        }
        by_message
            .entry(u.message.as_str())
            .or_default()
            .push((u.body.clone(), u.deleted));
    }
    for (id, change) in changes.iter().filter(|(_, ch)| ch.room == room) {
        let want = change.expected();
        let have = by_message.remove(id.as_str()).unwrap_or_default();
        if have.len() > want.len() {
            c.duplicated += have.len() - want.len();
        } else if have.len() < want.len() {
            c.lost += want.len() - have.len();
        } else if have != want {
            c.out_of_order += 1;
        }
    }
    // Updates of messages nobody changed.
    c.duplicated += by_message.values().map(Vec::len).sum::<usize>();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(id: &str, message: &str, body: &str, deleted: bool) -> Update {
        Update {
            event_id: Some(id.into()),
            message: message.into(),
            body: body.into(),
            deleted,
            after_its_message: true,
        }
    }

    #[test]
    fn lost_repeated_and_reordered_updates_are_counted() {
        let changes = HashMap::from([
            (
                "m1".to_owned(),
                Changes {
                    room: "r".into(),
                    edits: vec!["e1".into(), "e2".into()],
                    deleted: true,
                },
            ),
            (
                "m2".to_owned(),
                Changes {
                    room: "r".into(),
                    edits: vec!["x".into()],
                    deleted: false,
                },
            ),
        ]);
        let clean = [
            u("1", "m1", "e1", false),
            u("2", "m2", "x", false),
            u("3", "m1", "e2", false),
            u("4", "m1", "", true),
        ];
        assert!(check_updates(&clean, "r", &changes).is_clean());
        let swapped = [
            u("1", "m1", "e2", false),
            u("2", "m1", "e1", false),
            u("3", "m1", "", true),
            u("3", "m1", "", true),
        ];
        let c = check_updates(&swapped, "r", &changes);
        assert_eq!((c.out_of_order, c.duplicated, c.lost), (1, 1, 1));
    }
}
