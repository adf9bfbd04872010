//! Sends: the `send_message` commands of a batch, for all their rooms at once, in a fixed
//! handful of statements (any reused `client_id`s; the rooms locked with their members
//! and authors; then every room's seqs, every message and the senders' read markers in
//! one statement) instead of a dozen per message. This is the only way a send is applied: a
//! single send is a batch of one ([`apply_one`]), and when a batch of sends fails, the
//! caller rolls it back and replays each send as a batch of one.

mod load;
mod store;

use super::{reject, Applied, ApplyError, ApplyResult};
use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use load::Loaded;
use parley_db::extras::preview;
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::Event;
use parley_schema::markup::mentioned_keys;
use parley_schema::model::{Message, ReadMarker};
use parley_schema::{ErrorBody, ErrorCode, Outcome, RequestId, Resource, RoomId, UserId};
use std::collections::HashMap;

/// What the batch decided for one send, before anything is written.
enum Plan {
    Refuse(ErrorBody),
    Existing(Message),
    Store(Message),
    /// The same `client_id` again in this batch: answered with the message stored for
    /// the send at this index.
    SameAs(usize),
}

/// Applies one send: a batch of one.
pub fn apply_one(conn: &mut PgConnection, env: &CommandEnvelope) -> ApplyResult {
    apply_sends(conn, &[env])?
        .pop()
        .ok_or_else(|| reject(ErrorCode::Internal, "a send came to nothing"))
}

/// Applies sends in arrival order; what each came to, in the same order.
pub fn apply_sends(
    conn: &mut PgConnection,
    sends: &[&CommandEnvelope],
) -> Result<Vec<Applied>, ApplyError> {
    let loaded = load::load(conn, sends)?;
    // Postgres keeps microseconds: the event says what history will say.
    let mut plans = plan(sends, &loaded, Utc::now().trunc_subsecs(6));
    let reads = store::store(conn, &mut plans, sends, &loaded)?;
    resolve_repeats(&mut plans);
    Ok(plans
        .into_iter()
        .zip(sends)
        .map(|(plan, env)| applied(plan, env, &reads))
        .collect())
}

/// Decides every send, in order; a repeated `client_id` points at its first send.
fn plan(sends: &[&CommandEnvelope], loaded: &Loaded, now: DateTime<Utc>) -> Vec<Plan> {
    let mut first_of: HashMap<(UserId, String), usize> = HashMap::new();
    let mut plan_one = |index: usize, env: &CommandEnvelope| {
        let Command::SendMessage {
            room_id,
            message_id,
            body,
            client_id,
            reply_to,
        } = &env.command
        else {
            return refuse(ErrorCode::Internal, "not a send");
        };
        let Some(actor) = env.actor else {
            return refuse(ErrorCode::Unauthenticated, "command has no acting user");
        };
        let key = client_id.as_ref().map(|c| (actor, c.clone()));
        let quoted = reply_to.map(|id| loaded.replied.get(&id).filter(|m| m.room_id == *room_id));
        if !loaded.rooms.contains_key(room_id) {
            refuse(ErrorCode::NotFound, "no such room")
        } else if !loaded.is_member(*room_id, actor) {
            refuse(ErrorCode::NotAMember, "you are not a member of this room")
        } else if let Some(m) = key.as_ref().and_then(|k| loaded.reused.get(k)) {
            Plan::Existing(m.clone())
        } else if let Some(first) = key.as_ref().and_then(|k| first_of.get(k)) {
            Plan::SameAs(*first)
        } else if quoted.is_some_and(|q| q.is_none()) {
            Plan::Refuse(
                ErrorBody::new(
                    ErrorCode::ValidationFailed,
                    "reply_to must be a message of this room",
                )
                .with_field("reply_to"),
            )
        } else {
            if let Some(k) = key {
                first_of.insert(k, index);
            }
            Plan::Store(Message {
                id: *message_id,
                room_id: *room_id,
                seq: 0,
                author: loaded.authors.get(&actor).cloned(),
                body: body.clone(),
                client_id: client_id.clone(),
                created_at: now,
                edited_at: None,
                deleted: false,
                reply_to: quoted.flatten().map(|q| Box::new(preview(q))),
                mentions: mentions(loaded, *room_id, body, actor),
                reactions: Vec::new(),
                from_blocked: false,
            })
        }
    };
    sends
        .iter()
        .enumerate()
        .map(|(i, env)| plan_one(i, env))
        .collect()
}

fn refuse(code: ErrorCode, message: &str) -> Plan {
    Plan::Refuse(ErrorBody::new(code, message))
}

/// The members of `room` that `body` names as `@nickname`, each once, but those who
/// block `author`.
fn mentions(loaded: &Loaded, room: RoomId, body: &str, author: UserId) -> Vec<UserId> {
    let mut found: Vec<UserId> = Vec::new();
    for key in mentioned_keys(body) {
        if let Some(m) = loaded.mentionable.get(&(room, key)) {
            if !found.contains(&m.user) && !m.blocks.contains(&author) {
                found.push(m.user);
            }
        }
    }
    found
}

/// Answers each repeat of a `client_id` with the message stored for its first send.
fn resolve_repeats(plans: &mut [Plan]) {
    for i in 0..plans.len() {
        if let Plan::SameAs(first) = plans[i] {
            plans[i] = match plans.get(first) {
                Some(Plan::Store(m)) => Plan::Existing(m.clone()),
                _ => refuse(ErrorCode::Internal, "lost track of a repeated client_id"),
            };
        }
    }
}

/// What one planned send came to, with its events.
fn applied(plan: Plan, env: &CommandEnvelope, reads: &HashMap<RequestId, ReadMarker>) -> Applied {
    let rid = env.request_id;
    let message = match plan {
        Plan::Store(m) => m,
        Plan::Existing(m) => return Applied::new(rid, Outcome::Created(Resource::Message(m))),
        Plan::Refuse(body) => return Applied::new(rid, Outcome::Refused(body)),
        Plan::SameAs(_) => {
            let outcome = Outcome::refused(ErrorCode::Internal, "a repeat was not resolved");
            return Applied::new(rid, outcome);
        }
    };
    let room = message.room_id;
    let stored = Applied::new(rid, Outcome::Created(Resource::Message(message.clone())))
        .emit_to_room(room, Event::Message(message));
    match (reads.get(&rid), env.actor) {
        (Some(marker), Some(actor)) => stored.emit(vec![actor], Event::Read(marker.clone())),
        _ => stored,
    }
}
