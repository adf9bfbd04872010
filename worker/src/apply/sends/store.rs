//! Writing a batch's new messages: seqs reserved per room, rows inserted, the senders'
//! read markers moved.

use super::{Plan, RoomRun};
use diesel::prelude::*;
use parley_db::rows::MessageRow;
use parley_db::{members, messages, rooms};
use parley_schema::model::ReadMarker;
use parley_schema::{RequestId, RoomId, UserId};
use std::collections::HashMap;

/// Gives each new message its seq and writes them all, with the senders' read markers;
/// returns the marker each sender's last send in a room reports, by its request id.
pub(super) fn store(
    conn: &mut PgConnection,
    runs: &[RoomRun<'_>],
    plans: &mut [Vec<Plan>],
) -> QueryResult<HashMap<RequestId, ReadMarker>> {
    let wants: Vec<(RoomId, i64)> = runs
        .iter()
        .zip(plans.iter())
        .map(|((room, _), p)| {
            (
                *room,
                p.iter().filter(|p| matches!(p, Plan::Store(_))).count() as i64,
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    if wants.is_empty() {
        return Ok(HashMap::new());
    }
    let firsts = rooms::reserve_seqs_many(conn, &wants)?;
    let mut rows = Vec::new();
    let mut marks: HashMap<(RoomId, UserId), (i64, RequestId)> = HashMap::new();
    let mut last_seq: HashMap<RoomId, i64> = HashMap::new();
    for ((room, sends), run_plans) in runs.iter().zip(plans.iter_mut()) {
        let mut next = firsts.get(room).copied().unwrap_or(1);
        for (plan, env) in run_plans.iter_mut().zip(sends) {
            let Plan::Store(m) = plan else { continue };
            m.seq = next;
            next += 1;
            last_seq.insert(*room, m.seq);
            let author = m.author.as_ref().map(|a| a.id);
            if let Some(a) = author {
                // One's own message is read by definition.
                marks.insert((*room, a), (m.seq, env.request_id));
            }
            rows.push(MessageRow {
                id: m.id,
                room_id: *room,
                seq: m.seq,
                author_id: author,
                body: m.body.clone(),
                client_id: m.client_id.clone(),
                created_at: m.created_at,
            });
        }
    }
    for chunk in rows.chunks(1000) {
        messages::insert_many(conn, chunk)?;
    }
    let marked: Vec<(RoomId, UserId, i64)> =
        marks.iter().map(|((r, u), (s, _))| (*r, *u, *s)).collect();
    members::mark_read_many(conn, &marked)?;
    Ok(marks
        .into_iter()
        .map(|((room, _), (seq, request))| {
            let last = last_seq.get(&room).copied().unwrap_or(seq);
            let marker = ReadMarker {
                room_id: room,
                last_read_seq: seq,
                unread_count: (last - seq).max(0),
            };
            (request, marker)
        })
        .collect())
}
