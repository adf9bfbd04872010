//! Writing a batch's new messages: seqs given after each locked room's last seq, then in
//! one statement the rooms' last seqs, the rows and the senders' read markers.

use super::load::Loaded;
use super::Plan;
use diesel::prelude::*;
use parley_db::rows::MessageRow;
use parley_db::sends;
use parley_schema::command::CommandEnvelope;
use parley_schema::model::ReadMarker;
use parley_schema::{RequestId, RoomId, UserId};
use std::collections::HashMap;

/// Gives each new message its seq and writes them all, with the senders' read markers;
/// returns the marker each sender's last send in a room reports, by its request id.
pub(super) fn store(
    conn: &mut PgConnection,
    plans: &mut [Plan],
    sends: &[&CommandEnvelope],
    loaded: &Loaded,
) -> QueryResult<HashMap<RequestId, ReadMarker>> {
    // The rooms are locked: their next seqs follow the last seq read with the lock.
    let mut next: HashMap<RoomId, i64> = HashMap::new();
    let mut rows = Vec::new();
    let mut marks: HashMap<(RoomId, UserId), (i64, RequestId)> = HashMap::new();
    for (plan, env) in plans.iter_mut().zip(sends) {
        let Plan::Store(m) = plan else { continue };
        let last = loaded.rooms.get(&m.room_id).copied().unwrap_or(0);
        let seq = next.entry(m.room_id).or_insert(last + 1);
        m.seq = *seq;
        *seq += 1;
        let author = m.author.as_ref().map(|a| a.id);
        if let Some(a) = author {
            // One's own message is read by definition.
            marks.insert((m.room_id, a), (m.seq, env.request_id));
        }
        rows.push(MessageRow {
            id: m.id,
            room_id: m.room_id,
            seq: m.seq,
            author_id: author,
            body: m.body.clone(),
            client_id: m.client_id.clone(),
            created_at: m.created_at,
            edited_at: None,
            deleted_at: None,
            reply_to: m.reply_to.as_ref().map(|r| r.id),
            mentions: m.mentions.iter().copied().map(Some).collect(),
        });
    }
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let marked: Vec<(RoomId, UserId, i64)> =
        marks.iter().map(|((r, u), (s, _))| (*r, *u, *s)).collect();
    let last_seqs: Vec<(RoomId, i64)> = next.iter().map(|(r, n)| (*r, n - 1)).collect();
    sends::store(conn, &last_seqs, &rows, &marked)?;
    // `next` is now one past each room's last seq.
    Ok(marks
        .into_iter()
        .map(|((room, _), (seq, request))| {
            let last = next.get(&room).map_or(seq, |n| n - 1);
            let marker = ReadMarker {
                room_id: room,
                last_read_seq: seq,
                unread_count: (last - seq).max(0),
            };
            (request, marker)
        })
        .collect())
}
