//! The fast path for the commonest command: the `send_message` commands of a batch, for
//! all their rooms at once. A fixed handful of statements per batch (lock the rooms, read
//! their members, the authors and any reused `client_id`s, reserve every room's seqs,
//! insert every message, move the senders' read markers) instead of a dozen per message.
//! The rules are those of `messages::send`; when anything here fails the caller rolls
//! this back and applies the same commands one by one.

use super::{ApplyError, Outcome};
use chrono::{SubsecRound, Utc};
use diesel::prelude::*;
use parley_db::rows::MessageRow;
use parley_db::{members, messages, rooms, users};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::Event;
use parley_schema::model::{Author, Message, ReadMarker};
use parley_schema::{ErrorBody, ErrorCode, UserId};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One room's queued sends, in arrival order.
pub type RoomRun<'a> = (Uuid, Vec<&'a CommandEnvelope>);

/// What the batch decided for one command, before anything is written.
enum Plan {
    Reject(ErrorCode, &'static str),
    Existing(Message),
    Store(Message),
    /// The same `client_id` again in this batch: answered with the message stored for
    /// the command at (run, index).
    SameAs(usize, usize),
}

/// Applies every run; the outcomes, per run and per command, in order.
pub fn apply_runs(
    conn: &mut PgConnection,
    runs: &[RoomRun<'_>],
) -> Result<Vec<Vec<Outcome>>, ApplyError> {
    let room_ids: Vec<Uuid> = runs.iter().map(|(r, _)| *r).collect();
    let existing_rooms: HashSet<Uuid> = rooms::lock_many(conn, &room_ids)?.into_iter().collect();
    let mut members_of: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (room, user) in members::members_of_rooms(conn, &room_ids)? {
        members_of.entry(room).or_default().push(user);
    }
    let all: Vec<&CommandEnvelope> = runs.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    let authors = load_authors(conn, &all)?;
    let reused = load_reused(conn, &all)?;
    let mut in_batch: HashMap<(Uuid, String), (usize, usize)> = HashMap::new();

    let now = Utc::now().trunc_subsecs(6);
    let mut plans: Vec<Vec<Plan>> = Vec::with_capacity(runs.len());
    for (run_index, (room, sends)) in runs.iter().enumerate() {
        let room_members: HashSet<Uuid> = members_of
            .get(room)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        let mut run_plans = Vec::with_capacity(sends.len());
        for (index, env) in sends.iter().enumerate() {
            let plan = match (env.actor, &env.command) {
                _ if !existing_rooms.contains(room) => {
                    Plan::Reject(ErrorCode::NotFound, "no such room")
                }
                (
                    Some(actor),
                    Command::SendMessage {
                        message_id,
                        body,
                        client_id,
                        ..
                    },
                ) => {
                    if !room_members.contains(&actor.0) {
                        Plan::Reject(ErrorCode::NotAMember, "you are not a member of this room")
                    } else if let Some(m) = client_id
                        .as_ref()
                        .and_then(|c| reused.get(&(actor.0, c.clone())))
                    {
                        Plan::Existing(m.clone())
                    } else if let Some((r, i)) = client_id
                        .as_ref()
                        .and_then(|c| in_batch.get(&(actor.0, c.clone())))
                    {
                        Plan::SameAs(*r, *i)
                    } else {
                        let m = Message {
                            id: *message_id,
                            room_id: (*room).into(),
                            seq: 0,
                            author: authors.get(&actor.0).cloned(),
                            body: body.clone(),
                            client_id: client_id.clone(),
                            created_at: now,
                        };
                        if let Some(c) = client_id {
                            in_batch.insert((actor.0, c.clone()), (run_index, index));
                        }
                        Plan::Store(m)
                    }
                }
                _ => Plan::Reject(ErrorCode::Unauthenticated, "command has no acting user"),
            };
            run_plans.push(plan);
        }
        plans.push(run_plans);
    }

    let reads = store(conn, runs, &mut plans)?;
    let stored = |r: usize, i: usize| match plans.get(r).and_then(|p| p.get(i)) {
        Some(Plan::Store(m)) => Some(m.clone()),
        _ => None,
    };
    let same_as: Vec<Vec<Option<Message>>> = plans
        .iter()
        .map(|p| {
            p.iter()
                .map(|plan| match plan {
                    Plan::SameAs(r, i) => stored(*r, *i),
                    _ => None,
                })
                .collect()
        })
        .collect();

    Ok(plans
        .into_iter()
        .zip(runs)
        .zip(same_as)
        .map(|((run_plans, (room, sends)), same_as)| {
            let audience: Vec<UserId> = members_of
                .get(room)
                .into_iter()
                .flatten()
                .map(|u| UserId(*u))
                .collect();
            run_plans
                .into_iter()
                .zip(sends)
                .zip(same_as)
                .map(|((plan, env), same)| outcome(plan, env, same, &audience, &reads))
                .collect()
        })
        .collect())
}

/// The outcome and events of one planned send.
fn outcome(
    plan: Plan,
    env: &CommandEnvelope,
    same: Option<Message>,
    audience: &[UserId],
    reads: &HashMap<Uuid, ReadMarker>,
) -> Outcome {
    match plan {
        Plan::Reject(code, msg) => Outcome::error(&ErrorBody::new(code, msg)),
        Plan::Existing(m) => Outcome::new(201, m),
        Plan::SameAs(..) => match same {
            Some(m) => Outcome::new(201, m),
            None => Outcome::error(&ErrorBody::new(
                ErrorCode::Internal,
                "lost track of a repeated client_id",
            )),
        },
        Plan::Store(m) => {
            let stored =
                Outcome::new(201, &m).emit(audience.to_vec(), env.request_id, Event::Message(m));
            match (reads.get(&env.request_id.0), env.actor) {
                (Some(marker), Some(actor)) => {
                    stored.emit(vec![actor], env.request_id, Event::Read(marker.clone()))
                }
                _ => stored,
            }
        }
    }
}

/// Gives each new message its seq and writes them all, with the senders' read markers;
/// returns the marker each sender's last send in a room reports, by its request id.
fn store(
    conn: &mut PgConnection,
    runs: &[RoomRun<'_>],
    plans: &mut [Vec<Plan>],
) -> QueryResult<HashMap<Uuid, ReadMarker>> {
    let wants: Vec<(Uuid, i64)> = runs
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
    let mut marks: HashMap<(Uuid, Uuid), (i64, Uuid)> = HashMap::new();
    let mut last_seq: HashMap<Uuid, i64> = HashMap::new();
    for ((room, sends), run_plans) in runs.iter().zip(plans.iter_mut()) {
        let mut next = firsts.get(room).copied().unwrap_or(1);
        for (plan, env) in run_plans.iter_mut().zip(sends) {
            if let Plan::Store(m) = plan {
                m.seq = next;
                next += 1;
                last_seq.insert(*room, m.seq);
                let author = m.author.as_ref().map(|a| a.id.0);
                if let Some(a) = author {
                    // One's own message is read by definition.
                    marks.insert((*room, a), (m.seq, env.request_id.0));
                }
                rows.push(MessageRow {
                    id: m.id.0,
                    room_id: *room,
                    seq: m.seq,
                    author_id: author,
                    body: m.body.clone(),
                    client_id: m.client_id.clone(),
                    created_at: m.created_at,
                });
            }
        }
    }
    for chunk in rows.chunks(1000) {
        messages::insert_many(conn, chunk)?;
    }
    let rows: Vec<(Uuid, Uuid, i64)> = marks.iter().map(|((r, u), (s, _))| (*r, *u, *s)).collect();
    members::mark_read_many(conn, &rows)?;
    Ok(marks
        .into_iter()
        .map(|((room, _), (seq, request))| {
            let last = last_seq.get(&room).copied().unwrap_or(seq);
            let marker = ReadMarker {
                room_id: room.into(),
                last_read_seq: seq,
                unread_count: (last - seq).max(0),
            };
            (request, marker)
        })
        .collect())
}

fn load_authors(
    conn: &mut PgConnection,
    sends: &[&CommandEnvelope],
) -> QueryResult<HashMap<Uuid, Author>> {
    let mut ids: Vec<Uuid> = sends.iter().filter_map(|e| e.actor).map(|a| a.0).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(users::find_many(conn, &ids)?
        .into_iter()
        .map(|u| {
            let author = Author {
                id: u.id.into(),
                username: u.username,
                display_name: u.display_name,
            };
            (u.id, author)
        })
        .collect())
}

/// Messages already stored under a `(author, client_id)` that a send reuses.
fn load_reused(
    conn: &mut PgConnection,
    sends: &[&CommandEnvelope],
) -> QueryResult<HashMap<(Uuid, String), Message>> {
    let pairs: Vec<(Uuid, String)> = sends
        .iter()
        .filter_map(|e| match (&e.command, e.actor) {
            (
                Command::SendMessage {
                    client_id: Some(c), ..
                },
                Some(a),
            ) => Some((a.0, c.clone())),
            _ => None,
        })
        .collect();
    Ok(messages::find_by_client_ids(conn, &pairs)?
        .into_iter()
        .filter_map(|m| Some(((m.author.as_ref()?.id.0, m.client_id.clone()?), m)))
        .collect())
}
