//! What a batch of sends reads before it decides anything: the rooms (locked), their
//! members, the authors, and the messages stored before under a reused `client_id`.

use diesel::prelude::*;
use parley_db::{members, messages, rooms, users};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::model::{Author, Message};
use parley_schema::{RoomId, UserId};
use std::collections::{HashMap, HashSet};

pub(super) struct Loaded {
    /// The rooms that exist, locked until the transaction ends.
    pub rooms: HashSet<RoomId>,
    pub members: HashMap<RoomId, Vec<UserId>>,
    memberships: HashSet<(RoomId, UserId)>,
    pub authors: HashMap<UserId, Author>,
    /// Messages already stored under an `(author, client_id)` that a send reuses.
    pub reused: HashMap<(UserId, String), Message>,
}

impl Loaded {
    pub fn is_member(&self, room: RoomId, user: UserId) -> bool {
        self.memberships.contains(&(room, user))
    }
}

pub(super) fn load(conn: &mut PgConnection, sends: &[&CommandEnvelope]) -> QueryResult<Loaded> {
    let mut room_ids: Vec<RoomId> = sends.iter().filter_map(|e| e.command.room_id()).collect();
    room_ids.sort_unstable();
    room_ids.dedup();
    // Locked first, so no membership of these rooms changes while the batch reads them.
    let rooms = rooms::lock_many(conn, &room_ids)?.into_iter().collect();
    let pairs = members::members_of_rooms(conn, &room_ids)?;
    let mut members: HashMap<RoomId, Vec<UserId>> = HashMap::new();
    for (room, user) in &pairs {
        members.entry(*room).or_default().push(*user);
    }
    Ok(Loaded {
        rooms,
        members,
        memberships: pairs.into_iter().collect(),
        authors: load_authors(conn, sends)?,
        reused: load_reused(conn, sends)?,
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
