//! Printing the audit trail: a table for people, or JSON lines for tools.

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use parley_db::audit::{self, AuditRow, Filter};
use parley_db::schema::users::dsl as u;
use parley_db::PgConnection;
use parley_schema::UserId;
use std::collections::HashMap;
use std::fmt::Write;

/// The rows of `filter` and the usernames of the people they name.
pub fn load(
    conn: &mut PgConnection,
    filter: &Filter,
) -> anyhow::Result<(Vec<AuditRow>, HashMap<UserId, String>)> {
    let rows = audit::find(conn, filter)?;
    let ids: Vec<UserId> = rows.iter().filter_map(|r| r.actor_id).collect();
    let names: Vec<(UserId, String)> = u::users
        .filter(u::id.eq_any(&ids))
        .select((u::id, u::username))
        .load(conn)?;
    Ok((rows, names.into_iter().collect()))
}

/// Who acted: the user's name (or id), `operator:NAME`, or for a registration the name it
/// registered.
fn who(row: &AuditRow, names: &HashMap<UserId, String>) -> String {
    match (&row.operator, row.actor_id) {
        (Some(op), _) => format!("operator:{op}"),
        (None, Some(id)) => names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
        (None, None) => (row.subject.get("username").and_then(|u| u.as_str()))
            .unwrap_or("-")
            .to_owned(),
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The table: one line per row, newest first.
pub fn table(rows: &[AuditRow], names: &HashMap<UserId, String>) -> String {
    let mut out = format!(
        "{:<24}  {:<16}  {:<8}  {:<22}  {:>6}  {:<36}  subject\n",
        "at (UTC)", "who", "session", "kind", "status", "request_id"
    );
    for r in rows {
        let session = r.session_id.map(|s| s.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<24}  {:<16}  {:<8}  {:<22}  {:>6}  {:<36}  {}",
            time(r.at),
            who(r, names),
            session.get(..8).unwrap_or("-"),
            r.kind,
            r.status,
            r.request_id,
            r.subject
        );
    }
    let _ = write!(out, "{} rows", rows.len());
    out
}

/// One JSON object per row.
pub fn json_lines(rows: &[AuditRow], names: &HashMap<UserId, String>) -> String {
    let lines: Vec<String> = (rows.iter())
        .map(|r| {
            serde_json::json!({
                "at": time(r.at),
                "request_id": r.request_id,
                "issued_at": time(r.issued_at),
                "who": who(r, names),
                "actor_id": r.actor_id,
                "session_id": r.session_id,
                "operator": r.operator,
                "gateway_id": r.gateway_id,
                "kind": r.kind,
                "subject": r.subject,
                "status": r.status,
            })
            .to_string()
        })
        .collect();
    lines.join("\n")
}
