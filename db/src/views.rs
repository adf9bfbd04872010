//! Conversions from rows to the wire shapes of `parley-schema`.

use crate::rows::{AuthorRow, MessageRow, RoomRow, UserRow};
use parley_schema::model::{Author, Message, ReplyPreview, Room, User, Visibility};

pub fn user(row: &UserRow) -> User {
    User {
        id: row.id,
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        status_message: row.status_message.clone(),
        created_at: row.created_at,
        presence: None,
    }
}

pub fn room(row: &RoomRow, member_count: i64) -> Room {
    Room {
        id: row.id,
        name: row.name.clone(),
        // The column has a CHECK constraint; anything else would be a corrupt row.
        visibility: row.visibility.parse().unwrap_or(Visibility::Private),
        owner_id: row.owner_id,
        created_at: row.created_at,
        member_count,
    }
}

/// Messages with their authors, as a query of both returns them.
pub fn messages(rows: Vec<(MessageRow, Option<AuthorRow>)>) -> Vec<Message> {
    rows.into_iter().map(|(m, a)| message(m, a)).collect()
}

/// A message; the author is `None` when the account was deleted.
pub fn message(row: MessageRow, author: Option<AuthorRow>) -> Message {
    let author = author.filter(|a| a.deleted_at.is_none()).map(|a| Author {
        id: a.id,
        username: a.username,
        display_name: a.display_name,
    });
    Message {
        id: row.id,
        room_id: row.room_id,
        seq: row.seq,
        author,
        body: row.body,
        client_id: row.client_id,
        created_at: row.created_at,
        edited_at: row.edited_at,
        deleted: row.deleted_at.is_some(),
        // Filled in by `extras::decorate`: until then only the id is known.
        reply_to: row.reply_to.map(|id| {
            Box::new(ReplyPreview {
                id,
                seq: 0,
                author: None,
                excerpt: String::new(),
                deleted: true,
            })
        }),
        mentions: row.mentions.into_iter().flatten().collect(),
        reactions: Vec::new(),
        // Filled in by `extras::decorate` for the reader.
        from_blocked: false,
    }
}
