//! The search index (`search_messages`): written by the indexer from the events, read by
//! the gateway for `GET /api/search`. Grams and terms come from `parley_schema::search`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use parley_schema::search::{fold, grams, Query};
use parley_schema::{MessageId, RoomId, UserId};

/// A message as the index keeps it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub message_id: MessageId,
    pub room_id: RoomId,
    pub author_id: Option<UserId>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Indexes `entry` (a new message, or the new text of an edited one).
pub fn upsert(conn: &mut PgConnection, entry: &Entry) -> QueryResult<()> {
    let folded = fold(&entry.body);
    let grams = grams(&folded);
    diesel::sql_query(
        "INSERT INTO search_messages (message_id, room_id, author_id, folded, grams, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (message_id) DO UPDATE SET folded = EXCLUDED.folded, grams = EXCLUDED.grams",
    )
    .bind::<SqlUuid, _>(entry.message_id.0)
    .bind::<SqlUuid, _>(entry.room_id.0)
    .bind::<Nullable<SqlUuid>, _>(entry.author_id.map(|a| a.0))
    .bind::<Text, _>(&folded)
    .bind::<Array<Text>, _>(&grams)
    .bind::<Timestamptz, _>(entry.created_at)
    .execute(conn)
    .map(drop)
}

/// Takes a deleted message out of the index.
pub fn remove(conn: &mut PgConnection, message: MessageId) -> QueryResult<()> {
    use crate::schema::search_messages::dsl as s;
    diesel::delete(s::search_messages.filter(s::message_id.eq(message)))
        .execute(conn)
        .map(drop)
}

/// Where a page of results ends: the next page starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub phrase: bool,
    pub created_at: DateTime<Utc>,
    pub message_id: MessageId,
}

/// One result: the message, and whether it holds the whole query as typed.
#[derive(Debug, Clone, QueryableByName)]
pub struct Hit {
    #[diesel(sql_type = SqlUuid)]
    pub message_id: uuid::Uuid,
    #[diesel(sql_type = Bool)]
    pub phrase: bool,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

impl Hit {
    pub fn position(&self) -> Position {
        Position {
            phrase: self.phrase,
            created_at: self.created_at,
            message_id: MessageId(self.message_id),
        }
    }
}

/// The messages matching `query` in the rooms `user` is a member of now (only `room`,
/// when given), the whole phrase first, then the newest; after `after`, at most `limit`.
/// Two passes, phrase matches then the others, each newest first: so each can walk an
/// index in time order and stop at `limit` instead of sorting every match.
pub fn find(
    conn: &mut PgConnection,
    user: UserId,
    query: &Query,
    room: Option<RoomId>,
    after: Option<Position>,
    limit: i64,
) -> QueryResult<Vec<Hit>> {
    let mut hits = Vec::new();
    if after.is_none_or(|a| a.phrase) {
        let from = after.map(|a| (a.created_at, a.message_id));
        hits = pass(conn, user, query, room, true, from, limit)?;
    }
    let left = limit - hits.len() as i64;
    // With one term, every match holds the phrase: the second pass would walk the whole
    // index to find nothing.
    if left > 0 && query.terms.len() > 1 {
        let from = after
            .filter(|a| !a.phrase)
            .map(|a| (a.created_at, a.message_id));
        hits.extend(pass(conn, user, query, room, false, from, left)?);
    }
    Ok(hits)
}

/// The matches that hold the phrase (`phrase`) or do not, newest first, after `from`.
fn pass(
    conn: &mut PgConnection,
    user: UserId,
    query: &Query,
    room: Option<RoomId>,
    phrase: bool,
    from: Option<(DateTime<Utc>, MessageId)>,
    limit: i64,
) -> QueryResult<Vec<Hit>> {
    diesel::sql_query(
        "SELECT s.message_id, $6 AS phrase, s.created_at \
         FROM search_messages s \
         WHERE s.grams @> $1 \
           AND s.room_id IN (SELECT m.room_id FROM memberships m WHERE m.user_id = $3) \
           AND ($4::uuid IS NULL OR s.room_id = $4) \
           AND NOT EXISTS (SELECT 1 FROM unnest($5::text[]) t WHERE strpos(s.folded, t) = 0) \
           AND (strpos(s.folded, $2) > 0) = $6 \
           AND ($7::timestamptz IS NULL OR (s.created_at, s.message_id) < ($7, $8)) \
         ORDER BY s.created_at DESC, s.message_id DESC \
         LIMIT $9",
    )
    .bind::<Array<Text>, _>(&query.grams)
    .bind::<Text, _>(&query.phrase)
    .bind::<SqlUuid, _>(user.0)
    .bind::<Nullable<SqlUuid>, _>(room.map(|r| r.0))
    .bind::<Array<Text>, _>(&query.terms)
    .bind::<Bool, _>(phrase)
    .bind::<Nullable<Timestamptz>, _>(from.map(|f| f.0))
    .bind::<Nullable<SqlUuid>, _>(from.map(|f| f.1 .0))
    .bind::<Integer, _>(i32::try_from(limit).unwrap_or(i32::MAX))
    .load(conn)
}

/// Takes the messages of a deleted room out of the index.
pub fn remove_room(conn: &mut PgConnection, room: RoomId) -> QueryResult<()> {
    use crate::schema::search_messages::dsl as s;
    diesel::delete(s::search_messages.filter(s::room_id.eq(room)))
        .execute(conn)
        .map(drop)
}

/// Empties the index (before a rebuild).
pub fn wipe(conn: &mut PgConnection) -> QueryResult<()> {
    diesel::sql_query("TRUNCATE search_messages")
        .execute(conn)
        .map(drop)
}

/// A live message's columns, as a rebuild reads them.
type LiveRow = (MessageId, RoomId, Option<UserId>, String, DateTime<Utc>);

/// The next `limit` live (not deleted) messages after `after` in id order, as index
/// entries: what a rebuild reads, page by page.
pub fn live_messages_after(
    conn: &mut PgConnection,
    after: Option<MessageId>,
    limit: i64,
) -> QueryResult<Vec<Entry>> {
    use crate::schema::messages::dsl as m;
    let mut q = m::messages
        .filter(m::deleted_at.is_null())
        .select((m::id, m::room_id, m::author_id, m::body, m::created_at))
        .order(m::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(m::id.gt(after));
    }
    let rows: Vec<LiveRow> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(message_id, room_id, author_id, body, created_at)| Entry {
            message_id,
            room_id,
            author_id,
            body,
            created_at,
        })
        .collect())
}
