//! `GET /api/me/activity`: my sign-ins and security events, newest first, from the audit
//! trail (written by the `audit` consumer a moment after each command is applied).

use super::common::{decode_time_id, encode_time_id, invalid};
use crate::auth::AuthUser;
use crate::blocking;
use crate::error::ApiError;
use crate::openapi::Authenticated;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use parley_db::audit::{self, AuditRow, Filter};
use parley_schema::activity::{ActivityItem, ActivityKind, ActivityPage};
use parley_schema::error::ErrorResponse;
use parley_schema::{RequestId, SessionId};
use serde::Deserialize;
use uuid::Uuid;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 100;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// The `next_before` of the previous page.
    #[param(pattern = r"^[0-9]{1,18}\.[0-9a-f]{32}$")]
    pub before: Option<String>,
    /// Items per page (1 to 100, default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/me/activity",
    operation_id = "my_activity",
    tag = "sessions",
    summary = "My sign-ins and security events",
    description = "What happened to my account, newest first: the account's creation, \
                   sign-ins (with the device's `User-Agent` and address, refused ones \
                   included), sign-outs, revoked sessions, password changes, and an \
                   operator's suspension or reinstatement. Read from the audit trail, which \
                   the `audit` consumer writes a moment after each command is applied.",
    params(ActivityQuery),
    responses(
        Authenticated,
        (status = 200, description = "A page of my activity.", body = ActivityPage),
        (status = 400, description = "`validation_failed`: field `before` (not a \
            `next_before`), `limit` (not 1 to 100), or `query` (not an integer).",
            body = ErrorResponse),
    )
)]
pub async fn activity(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid("limit", format!("limit must be 1 to {MAX_LIMIT}")));
    }
    let before = match query.before.as_deref() {
        Some(b) => Some(decode(b).ok_or_else(|| invalid("before", "before is not a next_before"))?),
        None => None,
    };
    let filter = Filter {
        user: Some(auth.user_id),
        since: None,
        kinds: ActivityKind::AUDIT_KINDS.map(String::from).to_vec(),
        before,
        limit: limit + 1,
    };
    let rows = blocking::with_conn(&state.db, move |c| Ok(audit::find(c, &filter)?)).await?;
    let next_before = (rows.len() as i64 > limit)
        .then(|| rows.get(limit as usize - 1).map(encode))
        .flatten();
    let items = (rows.iter().take(limit as usize))
        .filter_map(|r| item(r, auth.session_id))
        .collect();
    Ok(HttpResponse::Ok().json(ActivityPage { items, next_before }))
}

/// The activity item of an audit row, as session `current` sees it.
/// An operator's action that was refused (nothing changed) is not shown.
fn item(row: &AuditRow, current: SessionId) -> Option<ActivityItem> {
    if row.operator.is_some() && row.status >= 400 {
        return None;
    }
    let field = |name: &str| row.subject.get(name).and_then(|v| v.as_str());
    let named = field("session_id").and_then(|s| s.parse::<Uuid>().ok());
    let named = named.map(SessionId::from);
    let kind = ActivityKind::of(&row.kind, named, row.session_id)?;
    let session_id = match kind {
        ActivityKind::SignIn | ActivityKind::SignOut | ActivityKind::SessionRevoked => named,
        _ => row.session_id,
    };
    Some(ActivityItem {
        at: row.at,
        kind,
        status: u16::try_from(row.status).unwrap_or(500),
        request_id: row.request_id,
        session_id,
        this_session: session_id == Some(current),
        user_agent: field("user_agent").map(str::to_owned),
        ip: field("ip").map(str::to_owned),
        by_operator: row.operator.is_some(),
    })
}

/// `next_before`: the row's time and request id.
fn encode(row: &AuditRow) -> String {
    encode_time_id(row.at, row.request_id.0)
}

fn decode(s: &str) -> Option<(DateTime<Utc>, RequestId)> {
    decode_time_id(s).map(|(at, id)| (at, RequestId::from(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_next_before_round_trips_and_junk_does_not_decode() {
        let row = AuditRow {
            at: DateTime::<Utc>::from_timestamp_micros(1_764_633_600_123_456).unwrap_or_default(),
            request_id: RequestId::new(),
            issued_at: Utc::now(),
            actor_id: None,
            session_id: None,
            operator: None,
            gateway_id: "g".into(),
            kind: "open_session".into(),
            subject: serde_json::json!({}),
            status: 201,
        };
        assert_eq!(decode(&encode(&row)), Some((row.at, row.request_id)));
        for junk in ["", "1", ".0", "x.00000000000000000000000000000000", "1.1.1"] {
            assert_eq!(decode(junk), None, "{junk}");
        }
    }
}
