//! The applied-commands ledger: one row per command applied, holding the events it
//! produced, so that a command consumed twice is applied once and re-emits the same events.

use crate::schema::applied_commands::dsl as a;
use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

/// The stored outcome of an applied command.
#[derive(Debug, Clone, Queryable)]
pub struct Applied {
    pub request_id: Uuid,
    pub status: i16,
    pub events: serde_json::Value,
}

/// Which of `ids` were applied already, with their stored events.
pub fn find_many(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Applied>> {
    a::applied_commands
        .filter(a::request_id.eq_any(ids))
        .select((a::request_id, a::status, a::events))
        .load(conn)
}

pub fn record(
    conn: &mut PgConnection,
    request_id: Uuid,
    status: i16,
    events: &serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(a::applied_commands)
        .values((
            a::request_id.eq(request_id),
            a::status.eq(status),
            a::events.eq(events),
            a::applied_at.eq(Utc::now()),
        ))
        .execute(conn)
        .map(drop)
}
