//! Sends: the `send_message` commands of a batch, for all their rooms at once, in a fixed
//! handful of statements (lock the rooms, read their members, the authors and any reused
//! `client_id`s, reserve every room's seqs, insert every message, move the senders' read
//! markers) instead of a dozen per message. This is the only way a send is applied: a
//! single send is a batch of one ([`apply_one`]), and when a batch of sends fails, the
//! caller rolls it back and replays each send as a batch of one.

use super::{reject, Applied, ApplyError, ApplyResult};
use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::Event;
use parley_schema::model::{Message, ReadMarker};
use parley_schema::{ErrorCode, Outcome, RequestId, Resource, RoomId, UserId};
use std::collections::{HashMap, HashSet};

/// One room's queued sends, in arrival order.
pub type RoomRun<'a> = (RoomId, Vec<&'a CommandEnvelope>);

mod load;
mod store;

use load::{load, Loaded};

/// What the batch decided for one command, before anything is written.
enum Plan {
    Refuse(ErrorCode, &'static str),
    Existing(Message),
    Store(Message),
    /// The same `client_id` again in this batch: answered with the message stored for
    /// the command at (run, index).
    SameAs(usize, usize),
}

/// Applies one send: a batch of one.
pub fn apply_one(conn: &mut PgConnection, env: &CommandEnvelope) -> ApplyResult {
    let Command::SendMessage { room_id, .. } = &env.command else {
        return Err(reject(ErrorCode::Internal, "not a send"));
    };
    let runs = [(*room_id, vec![env])];
    apply_runs(conn, &runs)?
        .into_iter()
        .flatten()
        .next()
        .ok_or_else(|| reject(ErrorCode::Internal, "a send came to nothing"))
}

/// Applies every run; what each command came to, per run and per command, in order.
pub fn apply_runs(
    conn: &mut PgConnection,
    runs: &[RoomRun<'_>],
) -> Result<Vec<Vec<Applied>>, ApplyError> {
    let loaded = load(conn, runs)?;
    // Postgres keeps microseconds: the event says what history will say.
    let mut plans = plan(runs, &loaded, Utc::now().trunc_subsecs(6));
    let reads = store::store(conn, runs, &mut plans)?;
    resolve_repeats(&mut plans);
    Ok(plans
        .into_iter()
        .zip(runs)
        .map(|(run_plans, (room, sends))| {
            let members = loaded.members.get(room).into_iter().flatten();
            let audience: Vec<UserId> = members.copied().collect();
            run_plans
                .into_iter()
                .zip(sends)
                .map(|(plan, env)| applied(plan, env, &audience, &reads))
                .collect()
        })
        .collect())
}

/// Decides every send, in order; a repeated `client_id` points at its first send.
fn plan(runs: &[RoomRun<'_>], loaded: &Loaded, now: DateTime<Utc>) -> Vec<Vec<Plan>> {
    let mut in_batch: HashMap<(UserId, String), (usize, usize)> = HashMap::new();
    let mut plans = Vec::with_capacity(runs.len());
    for (run_index, (room, sends)) in runs.iter().enumerate() {
        let room_members: HashSet<UserId> = loaded
            .members
            .get(room)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        let mut run_plans = Vec::with_capacity(sends.len());
        for (index, env) in sends.iter().enumerate() {
            let Some(actor) = env.actor else {
                run_plans.push(Plan::Refuse(
                    ErrorCode::Unauthenticated,
                    "command has no acting user",
                ));
                continue;
            };
            let Command::SendMessage {
                message_id,
                body,
                client_id,
                ..
            } = &env.command
            else {
                run_plans.push(Plan::Refuse(ErrorCode::Internal, "not a send"));
                continue;
            };
            let key = client_id.as_ref().map(|c| (actor, c.clone()));
            let plan = if !loaded.rooms.contains(room) {
                Plan::Refuse(ErrorCode::NotFound, "no such room")
            } else if !room_members.contains(&actor) {
                Plan::Refuse(ErrorCode::NotAMember, "you are not a member of this room")
            } else if let Some(m) = key.as_ref().and_then(|k| loaded.reused.get(k)) {
                Plan::Existing(m.clone())
            } else if let Some((r, i)) = key.as_ref().and_then(|k| in_batch.get(k)) {
                Plan::SameAs(*r, *i)
            } else {
                if let Some(k) = key {
                    in_batch.insert(k, (run_index, index));
                }
                Plan::Store(Message {
                    id: *message_id,
                    room_id: *room,
                    seq: 0,
                    author: loaded.authors.get(&actor).cloned(),
                    body: body.clone(),
                    client_id: client_id.clone(),
                    created_at: now,
                })
            };
            run_plans.push(plan);
        }
        plans.push(run_plans);
    }
    plans
}

/// Answers each repeat of a `client_id` with the message stored for its first send.
fn resolve_repeats(plans: &mut [Vec<Plan>]) {
    for r in 0..plans.len() {
        for i in 0..plans[r].len() {
            if let Plan::SameAs(first_r, first_i) = plans[r][i] {
                plans[r][i] = match plans.get(first_r).and_then(|p| p.get(first_i)) {
                    Some(Plan::Store(m)) => Plan::Existing(m.clone()),
                    _ => Plan::Refuse(ErrorCode::Internal, "lost track of a repeated client_id"),
                };
            }
        }
    }
}

/// What one planned send came to, with its events.
fn applied(
    plan: Plan,
    env: &CommandEnvelope,
    audience: &[UserId],
    reads: &HashMap<RequestId, ReadMarker>,
) -> Applied {
    let rid = env.request_id;
    match plan {
        Plan::Refuse(code, msg) => Applied::new(rid, Outcome::refused(code, msg)),
        Plan::Existing(m) => Applied::new(rid, Outcome::Created(Resource::Message(m))),
        Plan::SameAs(..) => Applied::new(
            rid,
            Outcome::refused(ErrorCode::Internal, "lost track of a repeated client_id"),
        ),
        Plan::Store(m) => {
            let stored = Applied::new(rid, Outcome::Created(Resource::Message(m.clone())))
                .emit(audience.to_vec(), Event::Message(m));
            match (reads.get(&rid), env.actor) {
                (Some(marker), Some(actor)) => {
                    stored.emit(vec![actor], Event::Read(marker.clone()))
                }
                _ => stored,
            }
        }
    }
}
