//! Counting what a run did, so a failing crash test says what went wrong: messages sent,
//! acknowledged, stored, delivered, lost and duplicated, and order per room.

use crate::sse::EventStream;
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::time::Duration;

/// A message as a stream delivered it.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub room: String,
    pub seq: i64,
    pub id: String,
    pub body: String,
}

impl Delivered {
    /// A `message` event's data.
    pub fn from_json(m: &serde_json::Value) -> Self {
        Self {
            room: m["room_id"].as_str().unwrap_or_default().to_owned(),
            seq: m["seq"].as_i64().unwrap_or(-1),
            id: m["id"].as_str().unwrap_or_default().to_owned(),
            body: m["body"].as_str().unwrap_or_default().to_owned(),
        }
    }
}

/// Reads `message` events from a stream until `expected` arrived or nothing came for
/// `idle`; also gives back the stream's last event id.
pub async fn collect(
    mut stream: EventStream,
    expected: usize,
    idle: Duration,
) -> (Vec<Delivered>, Option<String>) {
    let mut out = Vec::new();
    while out.len() < expected {
        let Some(ev) = stream.next(idle).await else {
            break;
        };
        if ev.event == "message" {
            out.push(Delivered::from_json(&ev.json()));
        }
    }
    (out, stream.last_id.clone())
}

/// What one stream got, against what it should have got.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StreamCheck {
    pub delivered: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub out_of_order: usize,
}

/// Checks a stream's messages against the bodies each room stored, in seq order.
pub fn check_stream(got: &[Delivered], stored: &HashMap<String, Vec<String>>) -> StreamCheck {
    let mut c = StreamCheck {
        delivered: got.len(),
        ..Default::default()
    };
    let mut seen = HashSet::new();
    let mut last: HashMap<&str, i64> = HashMap::new();
    for d in got {
        if !seen.insert(d.id.as_str()) {
            c.duplicated += 1;
            continue;
        }
        let prev = last.insert(d.room.as_str(), d.seq).unwrap_or(0);
        if d.seq != prev + 1 {
            c.out_of_order += 1;
        }
    }
    let rooms: HashSet<&str> = got.iter().map(|d| d.room.as_str()).collect();
    for room in rooms {
        let want = stored.get(room).map_or(0, Vec::len);
        let have = got
            .iter()
            .filter(|d| d.room == room)
            .map(|d| &d.id)
            .collect::<HashSet<_>>()
            .len();
        c.lost += want.saturating_sub(have);
    }
    c
}

/// The whole run's counts.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub sent: usize,
    pub acknowledged: usize,
    pub stored: usize,
    pub stored_twice: usize,
    pub acknowledged_missing: usize,
    pub delivered: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub out_of_order: usize,
}

impl Tally {
    pub fn add_stream(&mut self, c: StreamCheck) {
        self.delivered += c.delivered;
        self.lost += c.lost;
        self.duplicated += c.duplicated;
        self.out_of_order += c.out_of_order;
    }

    /// Nothing acknowledged is missing or stored twice, no stream lost, repeated or
    /// reordered anything.
    pub fn is_clean(&self) -> bool {
        self.acknowledged_missing == 0
            && self.stored_twice == 0
            && self.lost == 0
            && self.duplicated == 0
            && self.out_of_order == 0
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sent={} acknowledged={} stored={} stored_twice={} acknowledged_missing={} delivered={} lost={} duplicated={} out_of_order={}",
            self.sent,
            self.acknowledged,
            self.stored,
            self.stored_twice,
            self.acknowledged_missing,
            self.delivered,
            self.lost,
            self.duplicated,
            self.out_of_order
        )
    }
}

/// Every stored message body per room id, in seq order, and whether seqs are 1..=n.
pub fn stored_messages(conn: &mut PgConnection) -> anyhow::Result<HashMap<String, Vec<String>>> {
    use parley_db::schema::messages::dsl as m;
    let rows: Vec<(uuid::Uuid, i64, String)> = m::messages
        .select((m::room_id, m::seq, m::body))
        .order((m::room_id, m::seq))
        .load(conn)?;
    let mut by_room: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for (room, seq, body) in rows {
        by_room
            .entry(room.to_string())
            .or_default()
            .push((seq, body));
    }
    let mut out = HashMap::new();
    for (room, msgs) in by_room {
        for (i, (seq, _)) in msgs.iter().enumerate() {
            anyhow::ensure!(
                *seq == i as i64 + 1,
                "room {room}: seq {seq} at position {i}"
            );
        }
        out.insert(room, msgs.into_iter().map(|(_, b)| b).collect());
    }
    Ok(out)
}

/// Fills in the storage counts: each acknowledged body must be stored exactly once (for
/// an edited message, its last acknowledged text).
pub fn check_storage(
    tally: &mut Tally,
    acknowledged: &[String],
    stored: &HashMap<String, Vec<String>>,
) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    // A tombstone has no text: deleted messages are checked by id, not by body.
    for body in stored.values().flatten().filter(|b| !b.is_empty()) {
        *counts.entry(body.as_str()).or_default() += 1;
    }
    tally.stored = stored.values().map(Vec::len).sum();
    tally.stored_twice = counts.values().filter(|n| **n > 1).count();
    tally.acknowledged_missing = acknowledged
        .iter()
        .filter(|b| !counts.contains_key(b.as_str()))
        .count();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(room: &str, seq: i64, id: &str) -> Delivered {
        Delivered {
            room: room.into(),
            seq,
            id: id.into(),
            body: id.into(),
        }
    }

    #[test]
    fn a_clean_stream_counts_nothing_wrong() {
        let stored = HashMap::from([("r".to_owned(), vec!["a".to_owned(), "b".to_owned()])]);
        let c = check_stream(&[d("r", 1, "a"), d("r", 2, "b")], &stored);
        assert_eq!(
            c,
            StreamCheck {
                delivered: 2,
                ..Default::default()
            }
        );
    }

    #[test]
    fn gaps_repeats_and_losses_are_counted() {
        let stored = HashMap::from([(
            "r".to_owned(),
            vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
        )]);
        let c = check_stream(&[d("r", 1, "a"), d("r", 1, "a"), d("r", 3, "c")], &stored);
        assert_eq!((c.duplicated, c.out_of_order, c.lost), (1, 1, 1));
    }
}
