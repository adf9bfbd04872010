//! `audit_log`: the append-only trail the `audit` consumer writes (one row per applied
//! command) and operators and users read.

use crate::schema::audit_log::dsl as a;
use chrono::{DateTime, Datelike, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz};
use parley_schema::{RequestId, SessionId, UserId};

/// One row of the trail.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::audit_log, check_for_backend(diesel::pg::Pg))]
pub struct AuditRow {
    /// When the worker applied the command (the ledger's `applied_at`).
    pub at: DateTime<Utc>,
    pub request_id: RequestId,
    /// When the gateway took the request.
    pub issued_at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub session_id: Option<SessionId>,
    /// The operator who ran a moderation command.
    pub operator: Option<String>,
    pub gateway_id: String,
    /// The command's `type` (`send_message`), or the moderation action (`suspend_user`).
    pub kind: String,
    /// The ids the command touched (never message text or secrets).
    pub subject: serde_json::Value,
    /// The HTTP status of the outcome.
    pub status: i16,
}

/// Creates the monthly partitions that rows at `times` need (`audit_partition_for` finds
/// the month of any time in it; one call per month).
pub fn ensure_partitions(conn: &mut PgConnection, times: &[DateTime<Utc>]) -> QueryResult<()> {
    let mut months: Vec<(i32, u32, DateTime<Utc>)> =
        times.iter().map(|t| (t.year(), t.month(), *t)).collect();
    months.sort_unstable();
    months.dedup_by_key(|(year, month, _)| (*year, *month));
    for (_, _, t) in months {
        diesel::sql_query("SELECT audit_partition_for($1)")
            .bind::<Timestamptz, _>(t)
            .execute(conn)?;
    }
    Ok(())
}

/// Appends rows; a row already there (same `at` and `request_id`) is left as it is.
/// Returns how many were new.
pub fn append(conn: &mut PgConnection, rows: &[AuditRow]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    ensure_partitions(conn, &rows.iter().map(|r| r.at).collect::<Vec<_>>())?;
    diesel::insert_into(a::audit_log)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
}

/// What to read: rows since `since`, acted by `user` or on `user` when given, of `kinds`
/// when not empty, older than `before` (`at`, `request_id`), newest first.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub user: Option<UserId>,
    pub since: Option<DateTime<Utc>>,
    pub kinds: Vec<String>,
    pub before: Option<(DateTime<Utc>, RequestId)>,
    pub limit: i64,
}

/// The rows `filter` asks for, newest first.
pub fn find(conn: &mut PgConnection, filter: &Filter) -> QueryResult<Vec<AuditRow>> {
    let mut q = a::audit_log.select(AuditRow::as_select()).into_boxed();
    if let Some(user) = filter.user {
        let on_user = sql::<Bool>("(subject ->> 'user_id') = ")
            .bind::<diesel::sql_types::Text, _>(user.to_string());
        q = q.filter(a::actor_id.eq(user).or(on_user));
    }
    if let Some(since) = filter.since {
        q = q.filter(a::at.ge(since));
    }
    if !filter.kinds.is_empty() {
        q = q.filter(a::kind.eq_any(&filter.kinds));
    }
    if let Some((at, id)) = filter.before {
        q = q.filter(a::at.lt(at).or(a::at.eq(at).and(a::request_id.lt(id))));
    }
    q.order((a::at.desc(), a::request_id.desc()))
        .limit(filter.limit)
        .load(conn)
}
