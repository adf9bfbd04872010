//! Changing a stored message: its text edited, or the message deleted, leaving a tombstone
//! that keeps its `seq` (seqs have no gaps) and none of its text.

use crate::messages::with_author;
use crate::rows::{AuthorRow, MessageRow};
use crate::schema::messages::dsl as msg;
use crate::views;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use parley_schema::model::Message;
use parley_schema::{MessageId, RoomId, UserId};

/// The message `id` of `room`, locked until the transaction ends.
pub fn lock(
    conn: &mut PgConnection,
    room: RoomId,
    id: MessageId,
) -> QueryResult<Option<MessageRow>> {
    msg::messages
        .filter(msg::id.eq(id).and(msg::room_id.eq(room)))
        .select(MessageRow::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// Replaces the text and marks the message edited at `at`.
pub fn set_body(
    conn: &mut PgConnection,
    id: MessageId,
    body: &str,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(msg::messages.filter(msg::id.eq(id)))
        .set((msg::body.eq(body), msg::edited_at.eq(Some(at))))
        .execute(conn)
        .map(drop)
}

/// Empties the message, drops its mentions and reactions, and marks it deleted at `at`.
pub fn tombstone(conn: &mut PgConnection, id: MessageId, at: DateTime<Utc>) -> QueryResult<()> {
    crate::reactions::clear(conn, id)?;
    diesel::update(msg::messages.filter(msg::id.eq(id)))
        .set((
            msg::body.eq(""),
            msg::mentions.eq(Vec::<Option<UserId>>::new()),
            msg::deleted_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(drop)
}

/// The message as a room's event shows it (reactions without `me`).
pub fn view(conn: &mut PgConnection, id: MessageId) -> QueryResult<Option<Message>> {
    let row: Option<(MessageRow, Option<AuthorRow>)> = with_author()
        .filter(msg::id.eq(id))
        .first(conn)
        .optional()?;
    let mut found: Vec<Message> = row.map(|(m, a)| views::message(m, a)).into_iter().collect();
    crate::extras::decorate(conn, &mut found, None)?;
    Ok(found.pop())
}
