//! The two statements of a batch of sends: one reads and locks what the batch needs (its
//! rooms with their last seq, and which of the senders are members of them), one writes it
//! all (every room's new last seq, the messages, the senders' read markers). Two round
//! trips instead of seven: at a few sends a batch, a round trip to Postgres was the
//! worker's main cost (docs/benchmarks.md).

use crate::rows::MessageRow;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use parley_schema::{MessageId, RoomId, UserId};

/// A locked room with one of the authors asked for that is a member of it (or the room
/// alone, when none is). The author's names are set unless the account is deleted.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct RoomMember {
    #[diesel(sql_type = SqlUuid)]
    pub room_id: RoomId,
    #[diesel(sql_type = Int8)]
    pub last_seq: i64,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub user_id: Option<UserId>,
    #[diesel(sql_type = Nullable<Text>)]
    pub username: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub display_name: Option<String>,
}

/// Locks `rooms` (in id order, until the transaction ends) and returns a row per member
/// of each that is in `authors`, a room without such a member as one row with no user.
/// Rooms that do not exist are absent. However large a room, only the authors are read.
pub fn lock_rooms_with_authors(
    conn: &mut PgConnection,
    rooms: &[RoomId],
    authors: &[UserId],
) -> QueryResult<Vec<RoomMember>> {
    diesel::sql_query(
        "SELECT r.id AS room_id, r.last_seq, m.user_id, u.username, u.display_name \
         FROM rooms r \
         LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = ANY($2) \
         LEFT JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL \
         WHERE r.id = ANY($1) \
         ORDER BY r.id \
         FOR UPDATE OF r",
    )
    .bind::<Array<SqlUuid>, _>(rooms)
    .bind::<Array<SqlUuid>, _>(authors)
    .load(conn)
}

/// Stores a batch's messages in one statement: each room's `last_seq` set (the rooms must
/// be locked, and `last_seqs` name each room once), the rows inserted, and the read
/// markers `(room, user, seq)` moved forward (never back).
pub fn store(
    conn: &mut PgConnection,
    last_seqs: &[(RoomId, i64)],
    rows: &[MessageRow],
    marks: &[(RoomId, UserId, i64)],
) -> QueryResult<()> {
    let (rooms, lasts): (Vec<RoomId>, Vec<i64>) = last_seqs.iter().copied().unzip();
    let ids: Vec<MessageId> = rows.iter().map(|r| r.id).collect();
    let room_ids: Vec<RoomId> = rows.iter().map(|r| r.room_id).collect();
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    let author_ids: Vec<Option<UserId>> = rows.iter().map(|r| r.author_id).collect();
    let bodies: Vec<&str> = rows.iter().map(|r| r.body.as_str()).collect();
    let client_ids: Vec<Option<&str>> = rows.iter().map(|r| r.client_id.as_deref()).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|r| r.created_at).collect();
    let replies: Vec<Option<MessageId>> = rows.iter().map(|r| r.reply_to).collect();
    // Rows of arrays of different lengths are no Postgres array: each as its literal.
    let mentions: Vec<String> = rows
        .iter()
        .map(|r| uuid_array_literal(&r.mentions))
        .collect();
    let mark_rooms: Vec<RoomId> = marks.iter().map(|m| m.0).collect();
    let mark_users: Vec<UserId> = marks.iter().map(|m| m.1).collect();
    let mark_seqs: Vec<i64> = marks.iter().map(|m| m.2).collect();
    diesel::sql_query(
        "WITH seqs AS ( \
           UPDATE rooms r SET last_seq = v.last FROM unnest($1, $2) AS v(id, last) \
           WHERE r.id = v.id RETURNING r.id), \
         ins AS ( \
           INSERT INTO messages \
             (id, room_id, seq, author_id, body, client_id, created_at, reply_to, mentions) \
           SELECT v.id, v.room_id, v.seq, v.author_id, v.body, v.client_id, v.created_at, \
                  v.reply_to, v.mentions::uuid[] \
           FROM unnest($3, $4, $5, $6, $7, $8, $9, $13, $14) \
             AS v(id, room_id, seq, author_id, body, client_id, created_at, reply_to, mentions) \
           RETURNING id), \
         marks AS ( \
           UPDATE memberships m SET last_read_seq = v.seq \
           FROM unnest($10, $11, $12) AS v(room_id, user_id, seq) \
           WHERE m.room_id = v.room_id AND m.user_id = v.user_id AND m.last_read_seq < v.seq \
           RETURNING m.room_id) \
         SELECT (SELECT count(*) FROM seqs) + (SELECT count(*) FROM ins) \
              + (SELECT count(*) FROM marks) AS n",
    )
    .bind::<Array<SqlUuid>, _>(&rooms)
    .bind::<Array<Int8>, _>(&lasts)
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Array<SqlUuid>, _>(&room_ids)
    .bind::<Array<Int8>, _>(&seqs)
    .bind::<Array<Nullable<SqlUuid>>, _>(&author_ids)
    .bind::<Array<Text>, _>(&bodies)
    .bind::<Array<Nullable<Text>>, _>(&client_ids)
    .bind::<Array<Timestamptz>, _>(&created)
    .bind::<Array<SqlUuid>, _>(&mark_rooms)
    .bind::<Array<SqlUuid>, _>(&mark_users)
    .bind::<Array<Int8>, _>(&mark_seqs)
    .bind::<Array<Nullable<SqlUuid>>, _>(&replies)
    .bind::<Array<Text>, _>(&mentions)
    .execute(conn)
    .map(drop)
}

/// `{id,id}`: the literal of a `uuid[]`.
fn uuid_array_literal(ids: &[Option<UserId>]) -> String {
    let ids: Vec<String> = ids.iter().flatten().map(ToString::to_string).collect();
    format!("{{{}}}", ids.join(","))
}

#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Mentionable {
    #[diesel(sql_type = SqlUuid)]
    pub room_id: RoomId,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    /// Those of the senders asked about whom this member blocks: their mentions of them
    /// do not count.
    #[diesel(sql_type = Array<SqlUuid>)]
    pub blocks: Vec<UserId>,
}

/// The members of `rooms` whose nickname key is one of `keys` (active accounts only),
/// each with those of `senders` they block.
pub fn mentionable(
    conn: &mut PgConnection,
    rooms: &[RoomId],
    keys: &[String],
    senders: &[UserId],
) -> QueryResult<Vec<Mentionable>> {
    if rooms.is_empty() || keys.is_empty() {
        return Ok(Vec::new());
    }
    diesel::sql_query(
        "SELECT m.room_id, u.username_key AS key, u.id AS user_id, \
         ARRAY(SELECT b.blocked_id FROM blocks b \
               WHERE b.blocker_id = u.id AND b.blocked_id = ANY($3)) AS blocks \
         FROM users u \
         JOIN memberships m ON m.user_id = u.id AND m.room_id = ANY($1) \
         WHERE u.username_key = ANY($2) AND u.deleted_at IS NULL",
    )
    .bind::<Array<SqlUuid>, _>(rooms)
    .bind::<Array<Text>, _>(keys)
    .bind::<Array<SqlUuid>, _>(senders)
    .load(conn)
}
