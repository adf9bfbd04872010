//! What one event asks of the index, and applying a batch of those in one transaction.

use diesel::{Connection, PgConnection, QueryResult};
use parley_db::search::{self, Entry};
use parley_schema::event::{EventName, RawEventEnvelope, RoomChange, RoomEvent};
use parley_schema::model::Message;
use parley_schema::{MessageId, RoomId};

/// What an event asks of the index.
#[derive(Debug, Clone)]
pub enum Action {
    /// A new message, or the new text of an edited one.
    Index(Entry),
    /// A deleted message.
    Remove(MessageId),
    /// A deleted room: all of its messages.
    RemoveRoom(RoomId),
    /// Anything else (or a record that is not an event).
    Skip,
}

/// What the record `payload` asks of the index.
pub fn action(payload: &[u8]) -> Action {
    let Ok(env) = serde_json::from_slice::<RawEventEnvelope>(payload) else {
        return Action::Skip;
    };
    let data = env.event.data.get();
    match env.event.event {
        EventName::Message | EventName::MessageUpdated => {
            match serde_json::from_str::<Message>(data) {
                Ok(m) if m.deleted => Action::Remove(m.id),
                Ok(m) => Action::Index(Entry {
                    message_id: m.id,
                    room_id: m.room_id,
                    author_id: m.author.map(|a| a.id),
                    body: m.body,
                    created_at: m.created_at,
                }),
                Err(_) => Action::Skip,
            }
        }
        EventName::Room => match serde_json::from_str::<RoomEvent>(data) {
            Ok(e) if e.change == RoomChange::Deleted => Action::RemoveRoom(e.room.id),
            _ => Action::Skip,
        },
        _ => Action::Skip,
    }
}

/// Applies `actions` in order, in one transaction.
pub fn apply(conn: &mut PgConnection, actions: &[Action]) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let mut done = 0;
        for a in actions {
            match a {
                Action::Index(entry) => search::upsert(conn, entry)?,
                Action::Remove(id) => search::remove(conn, *id)?,
                Action::RemoveRoom(room) => search::remove_room(conn, *room)?,
                Action::Skip => continue,
            }
            done += 1;
        }
        Ok(done)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_message_and_room_deletion_events_touch_the_index() {
        let id = uuid::Uuid::new_v4();
        let room = uuid::Uuid::new_v4();
        let message = |deleted: bool| {
            format!(
                r#"{{"audience":[],"event":{{"event":"message_updated","data":{{"id":"{id}",
                "room_id":"{room}","seq":1,"author":null,"body":"회의","client_id":null,
                "created_at":"2026-12-02T00:00:00Z","edited_at":null,"deleted":{deleted},
                "reply_to":null,"mentions":[],"reactions":[]}}}}}}"#
            )
        };
        assert!(matches!(action(message(false).as_bytes()), Action::Index(e) if e.body == "회의"));
        assert!(matches!(action(message(true).as_bytes()), Action::Remove(m) if m.0 == id));
        let read = r#"{"audience":[],"event":{"event":"read","data":{}}}"#;
        assert!(matches!(action(read.as_bytes()), Action::Skip));
        assert!(matches!(action(b"not json"), Action::Skip));
    }
}
