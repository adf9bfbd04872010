//! The applied-commands ledger: one row per command applied, holding the events it
//! produced, so that a command consumed twice is applied once and re-emits the same events.

use crate::schema::applied_commands::dsl as a;
use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

/// The stored outcome of an applied command.
#[derive(Debug, Clone)]
pub struct Applied {
    pub request_id: Uuid,
    pub status: i16,
    pub events: serde_json::Value,
}

/// Which of `ids` were applied already, with their stored events. The events are stored
/// as JSON text (see the migration `ledger_events_text`).
pub fn find_many(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Applied>> {
    let rows: Vec<(Uuid, i16, String)> = a::applied_commands
        .filter(a::request_id.eq_any(ids))
        .select((a::request_id, a::status, a::events))
        .load(conn)?;
    rows.into_iter()
        .map(|(request_id, status, text)| {
            let events = serde_json::from_str(&text)
                .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
            Ok(Applied {
                request_id,
                status,
                events,
            })
        })
        .collect()
}

/// Records applied commands (request id, status, events), all in one statement.
pub fn record_many(
    conn: &mut PgConnection,
    rows: &[(Uuid, i16, serde_json::Value)],
) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let values: Vec<_> = rows
        .iter()
        .map(|(id, status, events)| {
            (
                a::request_id.eq(*id),
                a::status.eq(*status),
                a::events.eq(events.to_string()),
                a::applied_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(a::applied_commands)
        .values(values)
        .execute(conn)
        .map(drop)
}
