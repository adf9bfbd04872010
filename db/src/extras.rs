//! What a message is shown with besides its own row, read for a whole page at once: the
//! preview of the message it replies to, and its reactions (with whether the reader is
//! among them). Every read that returns messages passes them through [`decorate`].

use crate::rows::{AuthorRow, MessageRow};
use crate::schema::messages::dsl as msg;
use crate::views;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use parley_schema::markup::excerpt;
use parley_schema::model::{Message, Reaction, ReplyPreview};
use parley_schema::{MessageId, UserId};
use std::collections::HashMap;

/// Fills in the reply previews and reactions of `messages`; `me` is set for `viewer`.
pub fn decorate(
    conn: &mut PgConnection,
    messages: &mut [Message],
    viewer: Option<UserId>,
) -> QueryResult<()> {
    previews(conn, messages)?;
    reactions(conn, messages, viewer)?;
    flag_blocked(conn, messages, viewer)
}

/// Marks the messages whose author the viewer blocks.
fn flag_blocked(
    conn: &mut PgConnection,
    messages: &mut [Message],
    viewer: Option<UserId>,
) -> QueryResult<()> {
    let Some(viewer) = viewer else {
        return Ok(());
    };
    let blocked = crate::blocks::blocked_by(conn, viewer)?;
    if blocked.is_empty() {
        return Ok(());
    }
    for m in messages.iter_mut() {
        m.from_blocked = m.author.as_ref().is_some_and(|a| blocked.contains(&a.id));
    }
    Ok(())
}

/// The previews of the messages with these ids.
pub fn preview_of(
    conn: &mut PgConnection,
    ids: &[MessageId],
) -> QueryResult<HashMap<MessageId, ReplyPreview>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(MessageRow, Option<AuthorRow>)> = crate::messages::with_author()
        .filter(msg::id.eq_any(ids))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(m, a)| {
            let m = views::message(m, a);
            (m.id, preview(&m))
        })
        .collect())
}

/// How a reply quotes `m`.
pub fn preview(m: &Message) -> ReplyPreview {
    ReplyPreview {
        id: m.id,
        seq: m.seq,
        author: m.author.clone(),
        excerpt: if m.deleted {
            String::new()
        } else {
            excerpt(&m.body)
        },
        deleted: m.deleted,
    }
}

fn previews(conn: &mut PgConnection, messages: &mut [Message]) -> QueryResult<()> {
    let ids: Vec<MessageId> = messages
        .iter()
        .filter_map(|m| m.reply_to.as_ref().map(|r| r.id))
        .collect();
    let found = preview_of(conn, &ids)?;
    for reply in messages.iter_mut().filter_map(|m| m.reply_to.as_mut()) {
        if let Some(p) = found.get(&reply.id) {
            **reply = p.clone();
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    message_id: MessageId,
    #[diesel(sql_type = Text)]
    emoji: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Bool)]
    me: bool,
}

fn reactions(
    conn: &mut PgConnection,
    messages: &mut [Message],
    viewer: Option<UserId>,
) -> QueryResult<()> {
    let ids: Vec<MessageId> = messages
        .iter()
        .filter(|m| !m.deleted)
        .map(|m| m.id)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    // Most used first; among equals, the one given first.
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT message_id, emoji, count(*) AS n, \
                COALESCE(bool_or(user_id = $2), false) AS me \
         FROM reactions WHERE message_id = ANY($1) \
         GROUP BY message_id, emoji ORDER BY message_id, n DESC, min(created_at), emoji",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Nullable<SqlUuid>, _>(viewer)
    .load(conn)?;
    let mut by_message: HashMap<MessageId, Vec<Reaction>> = HashMap::new();
    for r in rows {
        by_message.entry(r.message_id).or_default().push(Reaction {
            emoji: r.emoji,
            count: r.n,
            me: r.me,
        });
    }
    for m in messages.iter_mut() {
        m.reactions = by_message.remove(&m.id).unwrap_or_default();
    }
    Ok(())
}
