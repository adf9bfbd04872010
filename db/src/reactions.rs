//! Queries on `reactions`: one row per (message, emoji, user), so adding the same one
//! twice or taking back one that is not there changes nothing.

use crate::schema::reactions::dsl as re;
use chrono::Utc;
use diesel::prelude::*;
use parley_schema::{MessageId, UserId};

/// Adds `user`'s `emoji` to `message`; whether it was new.
pub fn add(
    conn: &mut PgConnection,
    message: MessageId,
    emoji: &str,
    user: UserId,
) -> QueryResult<bool> {
    diesel::insert_into(re::reactions)
        .values((
            re::message_id.eq(message),
            re::emoji.eq(emoji),
            re::user_id.eq(user),
            re::created_at.eq(Utc::now()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|n| n > 0)
}

/// Takes back `user`'s `emoji` on `message`; whether there was one.
pub fn remove(
    conn: &mut PgConnection,
    message: MessageId,
    emoji: &str,
    user: UserId,
) -> QueryResult<bool> {
    diesel::delete(
        re::reactions.filter(
            re::message_id
                .eq(message)
                .and(re::emoji.eq(emoji))
                .and(re::user_id.eq(user)),
        ),
    )
    .execute(conn)
    .map(|n| n > 0)
}

/// How many reacted with `emoji` to `message`.
pub fn count(conn: &mut PgConnection, message: MessageId, emoji: &str) -> QueryResult<i64> {
    re::reactions
        .filter(re::message_id.eq(message).and(re::emoji.eq(emoji)))
        .count()
        .get_result(conn)
}

/// The distinct emoji `message` has.
pub fn emoji_of(conn: &mut PgConnection, message: MessageId) -> QueryResult<Vec<String>> {
    re::reactions
        .filter(re::message_id.eq(message))
        .select(re::emoji)
        .distinct()
        .load(conn)
}

/// Removes every reaction of `message` (it was deleted).
pub fn clear(conn: &mut PgConnection, message: MessageId) -> QueryResult<usize> {
    diesel::delete(re::reactions.filter(re::message_id.eq(message))).execute(conn)
}
