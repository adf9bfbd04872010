//! Queries on `messages`, always returned with their author (hidden once deleted).

use crate::rows::{AuthorRow, MessageRow};
use crate::schema::{messages::dsl as msg, rooms::dsl as r, users};
use crate::views;
use diesel::prelude::*;
use parley_schema::model::Message;
use parley_schema::{MessageId, RoomId, UserId};

/// One message, with its reply preview and reactions (`me` for nobody).
pub fn find(conn: &mut PgConnection, id: MessageId) -> QueryResult<Option<Message>> {
    let mut found = find_many(conn, &[id])?;
    Ok(found.pop())
}

/// The messages with these ids that exist, with their reply previews and reactions (`me`
/// for nobody), in no particular order.
pub fn find_many(conn: &mut PgConnection, ids: &[MessageId]) -> QueryResult<Vec<Message>> {
    find_many_for(conn, ids, None)
}

/// [`find_many`], as `viewer` sees them (`me` in reactions, `from_blocked`).
pub fn find_many_for(
    conn: &mut PgConnection,
    ids: &[MessageId],
    viewer: Option<UserId>,
) -> QueryResult<Vec<Message>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(MessageRow, Option<AuthorRow>)> =
        with_author().filter(msg::id.eq_any(ids)).load(conn)?;
    let mut found = views::messages(rows);
    crate::extras::decorate(conn, &mut found, viewer)?;
    Ok(found)
}

/// A page of history (to pass through `extras::decorate`), ascending by seq: with `after`, the oldest `limit` after it (what a
/// polling client asks for); otherwise the newest `limit` before `before` (or the end).
pub fn page(
    conn: &mut PgConnection,
    room: RoomId,
    after: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let mut q = with_author().filter(msg::room_id.eq(room)).into_boxed();
    if let Some(b) = before {
        q = q.filter(msg::seq.lt(b));
    }
    let rows: Vec<(MessageRow, Option<AuthorRow>)> = if let Some(a) = after {
        q.filter(msg::seq.gt(a))
            .order(msg::seq.asc())
            .limit(limit)
            .load(conn)?
    } else {
        let mut rows: Vec<_> = q.order(msg::seq.desc()).limit(limit).load(conn)?;
        rows.reverse();
        rows
    };
    Ok(views::messages(rows))
}

/// The newest message of each of `rooms` (to pass through `extras::decorate`).
pub fn last_of_rooms(conn: &mut PgConnection, rooms: &[RoomId]) -> QueryResult<Vec<Message>> {
    let rows: Vec<(MessageRow, Option<AuthorRow>)> = msg::messages
        .inner_join(r::rooms.on(r::id.eq(msg::room_id).and(r::last_seq.eq(msg::seq))))
        .left_join(users::table)
        .filter(msg::room_id.eq_any(rooms))
        .select((MessageRow::as_select(), Option::<AuthorRow>::as_select()))
        .load(conn)?;
    Ok(views::messages(rows))
}

#[allow(clippy::type_complexity)]
pub(crate) fn with_author() -> diesel::dsl::Select<
    diesel::dsl::LeftJoin<msg::messages, users::table>,
    (
        diesel::dsl::AsSelect<MessageRow, diesel::pg::Pg>,
        diesel::dsl::AsSelect<Option<AuthorRow>, diesel::pg::Pg>,
    ),
> {
    msg::messages
        .left_join(users::table)
        .select((MessageRow::as_select(), Option::<AuthorRow>::as_select()))
}

#[derive(diesel::QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: MessageId,
}

/// Messages already stored under any of these `(author, client_id)` pairs.
///
/// Joined on the pairs, so each is one probe of the `(author_id, client_id)` index:
/// `author_id = ANY(..) AND client_id = ANY(..)` made the planner scan the whole table
/// (measured: one sequential scan per worker batch, growing with every message stored).
pub fn find_by_client_ids(
    conn: &mut PgConnection,
    pairs: &[(UserId, String)],
) -> QueryResult<Vec<Message>> {
    use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let authors: Vec<UserId> = pairs.iter().map(|(a, _)| *a).collect();
    let ids: Vec<&str> = pairs.iter().map(|(_, c)| c.as_str()).collect();
    let found: Vec<Found> = diesel::sql_query(
        "SELECT m.id FROM unnest($1, $2) AS p(author_id, client_id) \
         JOIN messages m ON m.author_id = p.author_id AND m.client_id = p.client_id",
    )
    .bind::<Array<SqlUuid>, _>(&authors)
    .bind::<Array<Text>, _>(&ids)
    .load(conn)?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<MessageId> = found.into_iter().map(|f| f.id).collect();
    find_many(conn, &found)
}

#[derive(diesel::QueryableByName)]
struct MentionCount {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    room_id: RoomId,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// For each room of `user` with any: how many messages past the user's read marker
/// mention the user. Reads only messages with mentions (a partial index holds them).
pub fn mention_counts(
    conn: &mut PgConnection,
    user: UserId,
) -> QueryResult<std::collections::HashMap<RoomId, i64>> {
    let rows: Vec<MentionCount> = diesel::sql_query(
        "SELECT m.room_id, count(*) AS n FROM memberships ms \
         JOIN messages m ON m.room_id = ms.room_id AND m.seq > ms.last_read_seq \
           AND cardinality(m.mentions) > 0 AND ms.user_id = ANY(m.mentions) \
         WHERE ms.user_id = $1 GROUP BY m.room_id",
    )
    .bind::<diesel::sql_types::Uuid, _>(user)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.room_id, r.n)).collect())
}
