//! The fast path for the commonest command: a run of `send_message` commands to one room,
//! applied together. One room lock, one member look-up, one seq reservation, one
//! multi-row insert — instead of a dozen statements per message. The rules are those of
//! `messages::send`; when anything here fails the caller rolls this back and applies the
//! same commands one by one.

use super::{reject, ApplyError, Outcome};
use chrono::{SubsecRound, Utc};
use diesel::prelude::*;
use parley_db::rows::MessageRow;
use parley_db::{members, messages, rooms, users};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::Event;
use parley_schema::model::{Author, Message};
use parley_schema::{ErrorCode, UserId};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Applies `sends` (all `SendMessage` to `room`, in order); one outcome per command.
pub fn apply_run(
    conn: &mut PgConnection,
    room: Uuid,
    sends: &[&CommandEnvelope],
) -> Result<Vec<Outcome>, ApplyError> {
    let Some(_locked) = rooms::find_for_update(conn, room)? else {
        return Ok(sends
            .iter()
            .map(|_| error(reject(ErrorCode::NotFound, "no such room")))
            .collect());
    };
    let member_ids: Vec<Uuid> = members::member_ids(conn, room)?;
    let member_set: HashSet<Uuid> = member_ids.iter().copied().collect();
    let audience: Vec<UserId> = member_ids.iter().copied().map(UserId::from).collect();
    let senders: Vec<Uuid> = sends.iter().filter_map(|e| e.actor).map(|a| a.0).collect();
    let authors: HashMap<Uuid, Author> = users::find_many(conn, &senders)?
        .into_iter()
        .map(|u| {
            let author = Author {
                id: u.id.into(),
                username: u.username,
                display_name: u.display_name,
            };
            (u.id, author)
        })
        .collect();
    let pairs: Vec<(Uuid, String)> = sends
        .iter()
        .filter_map(|e| match (&e.command, e.actor) {
            (Command::SendMessage { client_id: Some(c), .. }, Some(a)) => Some((a.0, c.clone())),
            _ => None,
        })
        .collect();
    let mut existing: HashMap<(Uuid, String), Message> = messages::find_by_client_ids(conn, &pairs)?
        .into_iter()
        .filter_map(|m| {
            let key = (m.author.as_ref()?.id.0, m.client_id.clone()?);
            Some((key, m))
        })
        .collect();

    // Decide each command before writing anything.
    enum Plan {
        Reject(ApplyError),
        Existing(Message),
        Store(Message),
    }
    let now = Utc::now().trunc_subsecs(6);
    let mut plans = Vec::with_capacity(sends.len());
    let mut fresh: Vec<Message> = Vec::new();
    for env in sends {
        let (Some(actor), Command::SendMessage { message_id, body, client_id, .. }) =
            (env.actor, &env.command)
        else {
            plans.push(Plan::Reject(reject(ErrorCode::Unauthenticated, "no acting user")));
            continue;
        };
        if !member_set.contains(&actor.0) {
            plans.push(Plan::Reject(reject(
                ErrorCode::NotAMember,
                "you are not a member of this room",
            )));
            continue;
        }
        if let Some(cid) = client_id {
            if let Some(m) = existing.get(&(actor.0, cid.clone())) {
                plans.push(Plan::Existing(m.clone()));
                continue;
            }
        }
        let message = Message {
            id: *message_id,
            room_id: room.into(),
            seq: 0,
            author: authors.get(&actor.0).cloned(),
            body: body.clone(),
            client_id: client_id.clone(),
            created_at: now,
        };
        if let Some(cid) = client_id {
            // The same client_id twice in one run: the second answers with the first.
            existing.insert((actor.0, cid.clone()), message.clone());
        }
        fresh.push(message.clone());
        plans.push(Plan::Store(message));
    }

    let count = i64::try_from(fresh.len()).unwrap_or(i64::MAX);
    let first = if count > 0 { rooms::reserve_seqs(conn, room, count)? } else { 0 };
    let seq_of: HashMap<Uuid, i64> = fresh
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.0, first + i as i64))
        .collect();
    let rows: Vec<MessageRow> = fresh
        .iter()
        .map(|m| MessageRow {
            id: m.id.0,
            room_id: room,
            seq: seq_of.get(&m.id.0).copied().unwrap_or(0),
            author_id: m.author.as_ref().map(|a| a.id.0),
            body: m.body.clone(),
            client_id: m.client_id.clone(),
            created_at: now,
        })
        .collect();
    messages::insert_many(conn, &rows)?;
    // One's own message is read by definition: each sender's marker moves to its last.
    let mut last_of_sender: HashMap<Uuid, i64> = HashMap::new();
    for row in &rows {
        if let Some(a) = row.author_id {
            last_of_sender.insert(a, row.seq);
        }
    }
    for (sender, seq) in last_of_sender {
        members::mark_read(conn, room, sender, seq)?;
    }

    Ok(plans
        .into_iter()
        .zip(sends)
        .map(|(plan, env)| match plan {
            Plan::Reject(e) => error(e),
            Plan::Existing(m) => Outcome::new(201, m),
            Plan::Store(mut m) => {
                m.seq = seq_of.get(&m.id.0).copied().unwrap_or(0);
                Outcome::new(201, &m).emit(audience.clone(), env.request_id, Event::Message(m))
            }
        })
        .collect())
}

fn error(e: ApplyError) -> Outcome {
    match e {
        ApplyError::Rejected(body) => Outcome::error(&body),
        ApplyError::Db(_) => Outcome::error(&parley_schema::ErrorBody::new(
            ErrorCode::Internal,
            "the command could not be applied",
        )),
    }
}
