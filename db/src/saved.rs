//! Queries on `saved_messages`: a user's saved-messages drawer.

use crate::rows::{AuthorRow, MessageRow};
use crate::schema::{messages::dsl as msg, saved_messages::dsl as s, users};
use crate::views;
use chrono::Utc;
use diesel::prelude::*;
use parley_schema::model::Message;
use parley_schema::{MessageId, UserId};

pub fn add(conn: &mut PgConnection, user: UserId, message: MessageId) -> QueryResult<()> {
    diesel::insert_into(s::saved_messages)
        .values((
            s::user_id.eq(user),
            s::message_id.eq(message),
            s::saved_at.eq(Utc::now()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(drop)
}

pub fn remove(conn: &mut PgConnection, user: UserId, message: MessageId) -> QueryResult<bool> {
    diesel::delete(s::saved_messages.filter(s::user_id.eq(user).and(s::message_id.eq(message))))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn remove_all_of_user(conn: &mut PgConnection, user: UserId) -> QueryResult<usize> {
    diesel::delete(s::saved_messages.filter(s::user_id.eq(user))).execute(conn)
}

/// The saved messages of `user`, newest saved first.
pub fn list(conn: &mut PgConnection, user: UserId, limit: i64) -> QueryResult<Vec<Message>> {
    let rows: Vec<(MessageRow, Option<AuthorRow>)> = s::saved_messages
        .inner_join(msg::messages.left_join(users::table))
        .filter(s::user_id.eq(user))
        .order(s::saved_at.desc())
        .limit(limit)
        .select((MessageRow::as_select(), Option::<AuthorRow>::as_select()))
        .load(conn)?;
    Ok(views::messages(rows))
}
