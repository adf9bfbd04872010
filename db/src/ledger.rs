//! The applied-commands ledger: one row per command applied, holding the events it
//! produced, so that a command consumed twice is applied once and re-emits the same events.

use crate::schema::applied_commands::dsl as a;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use parley_schema::RequestId;

/// One applied command: the status of its outcome and its events, stored as the JSON array
/// of the records published (see the migration `ledger_events_text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub request_id: RequestId,
    pub status: i16,
    pub events: String,
}

/// The entries of those of `ids` that were applied already.
pub fn find_many(conn: &mut PgConnection, ids: &[RequestId]) -> QueryResult<Vec<Entry>> {
    let rows: Vec<(RequestId, i16, String)> = a::applied_commands
        .filter(a::request_id.eq_any(ids))
        .select((a::request_id, a::status, a::events))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(request_id, status, events)| Entry {
            request_id,
            status,
            events,
        })
        .collect())
}

/// Records applied commands, all in one statement.
pub fn record_many(conn: &mut PgConnection, entries: &[Entry]) -> QueryResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let values: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                a::request_id.eq(e.request_id),
                a::status.eq(e.status),
                a::events.eq(&e.events),
                a::applied_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(a::applied_commands)
        .values(values)
        .execute(conn)
        .map(drop)
}

/// The status and time of those of `ids` that were applied.
pub fn outcomes(
    conn: &mut PgConnection,
    ids: &[RequestId],
) -> QueryResult<Vec<(RequestId, i16, DateTime<Utc>)>> {
    a::applied_commands
        .filter(a::request_id.eq_any(ids))
        .select((a::request_id, a::status, a::applied_at))
        .load(conn)
}
