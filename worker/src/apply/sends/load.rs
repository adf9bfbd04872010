//! What a batch of sends reads before it decides anything: the rooms (locked), their
//! members, the authors, and the messages stored before under a reused `client_id`.

use super::RoomRun;
use diesel::prelude::*;
use parley_db::{members, messages, rooms, users};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::model::{Author, Message};
use parley_schema::{RoomId, UserId};
use std::collections::{HashMap, HashSet};

/// What the batch reads before it decides anything.
pub(super) struct Loaded {
    pub rooms: HashSet<RoomId>,
    pub members: HashMap<RoomId, Vec<UserId>>,
    pub authors: HashMap<UserId, Author>,
    /// Messages already stored under an `(author, client_id)` that a send reuses.
    pub reused: HashMap<(UserId, String), Message>,
}

pub(super) fn load(conn: &mut PgConnection, runs: &[RoomRun<'_>]) -> QueryResult<Loaded> {
    let room_ids: Vec<RoomId> = runs.iter().map(|(r, _)| *r).collect();
    let all: Vec<&CommandEnvelope> = runs.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    let mut members_of: HashMap<RoomId, Vec<UserId>> = HashMap::new();
    let rooms = rooms::lock_many(conn, &room_ids)?.into_iter().collect();
    for (room, user) in members::members_of_rooms(conn, &room_ids)? {
        members_of.entry(room).or_default().push(user);
    }
    Ok(Loaded {
        rooms,
        members: members_of,
        authors: load_authors(conn, &all)?,
        reused: load_reused(conn, &all)?,
    })
}

fn load_authors(
    conn: &mut PgConnection,
    sends: &[&CommandEnvelope],
) -> QueryResult<HashMap<UserId, Author>> {
    let mut ids: Vec<UserId> = sends.iter().filter_map(|e| e.actor).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(users::find_many(conn, &ids)?
        .into_iter()
        .map(|u| {
            let author = Author {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
            };
            (u.id, author)
        })
        .collect())
}

fn load_reused(
    conn: &mut PgConnection,
    sends: &[&CommandEnvelope],
) -> QueryResult<HashMap<(UserId, String), Message>> {
    let pairs: Vec<(UserId, String)> = sends
        .iter()
        .filter_map(|e| match (&e.command, e.actor) {
            (
                Command::SendMessage {
                    client_id: Some(c), ..
                },
                Some(a),
            ) => Some((a, c.clone())),
            _ => None,
        })
        .collect();
    Ok(messages::find_by_client_ids(conn, &pairs)?
        .into_iter()
        .filter_map(|m| Some(((m.author.as_ref()?.id, m.client_id.clone()?), m)))
        .collect())
}
