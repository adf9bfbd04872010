//! What a batch of sends reads before it decides anything: the rooms (locked), which
//! senders are their members (never the whole membership: a message names its room, not
//! its audience), and the messages stored before under a reused `client_id`.

use diesel::prelude::*;
use parley_db::{messages, sends};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::markup::mentioned_keys;
use parley_schema::model::{Author, Message};
use parley_schema::{MessageId, RoomId, UserId};
use std::collections::{HashMap, HashSet};

pub(super) struct Loaded {
    /// The rooms that exist, locked until the transaction ends, with their last seq.
    pub rooms: HashMap<RoomId, i64>,
    /// Which senders are members of which of these rooms.
    memberships: HashSet<(RoomId, UserId)>,
    /// The senders that are members of a room of the batch.
    pub authors: HashMap<UserId, Author>,
    /// Messages already stored under an `(author, client_id)` that a send reuses.
    pub reused: HashMap<(UserId, String), Message>,
    /// The messages the sends reply to, that exist.
    pub replied: HashMap<MessageId, Message>,
    /// The members of the batch's rooms that a send's `@nickname` names, by its key.
    pub mentionable: HashMap<(RoomId, String), Mentioned>,
}

/// A member a message may mention, and the senders they block (whose mentions of them
/// do not count).
#[derive(Debug, Default)]
pub struct Mentioned {
    pub user: UserId,
    pub blocks: Vec<UserId>,
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
    let mut actors: Vec<UserId> = sends.iter().filter_map(|e| e.actor).collect();
    actors.sort_unstable();
    actors.dedup();
    // The rooms are locked, so no membership of them changes while the batch runs.
    let mut loaded = Loaded {
        rooms: HashMap::new(),
        memberships: HashSet::new(),
        authors: HashMap::new(),
        reused: load_reused(conn, sends)?,
        replied: load_replied(conn, sends)?,
        mentionable: load_mentionable(conn, sends)?,
    };
    for row in sends::lock_rooms_with_authors(conn, &room_ids, &actors)? {
        loaded.rooms.insert(row.room_id, row.last_seq);
        let Some(user) = row.user_id else { continue };
        loaded.memberships.insert((row.room_id, user));
        if let (Some(username), Some(display_name)) = (row.username, row.display_name) {
            let author = Author {
                id: user,
                username,
                display_name,
            };
            loaded.authors.insert(user, author);
        }
    }
    Ok(loaded)
}

/// Only sends that reply cost a query.
fn load_replied(
    conn: &mut PgConnection,
    sends: &[&CommandEnvelope],
) -> QueryResult<HashMap<MessageId, Message>> {
    let ids: Vec<MessageId> = sends
        .iter()
        .filter_map(|e| match &e.command {
            Command::SendMessage { reply_to, .. } => *reply_to,
            _ => None,
        })
        .collect();
    Ok(messages::find_many(conn, &ids)?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

/// Only sends with an `@` cost a query.
fn load_mentionable(
    conn: &mut PgConnection,
    sends: &[&CommandEnvelope],
) -> QueryResult<HashMap<(RoomId, String), Mentioned>> {
    let (mut rooms, mut keys, mut senders) = (Vec::new(), Vec::new(), Vec::new());
    for env in sends {
        if let Command::SendMessage { room_id, body, .. } = &env.command {
            let named = mentioned_keys(body);
            if !named.is_empty() {
                rooms.push(*room_id);
                keys.extend(named);
                senders.extend(env.actor);
            }
        }
    }
    Ok(sends::mentionable(conn, &rooms, &keys, &senders)?
        .into_iter()
        .map(|m| {
            let mentioned = Mentioned {
                user: m.user_id,
                blocks: m.blocks,
            };
            ((m.room_id, m.key), mentioned)
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
