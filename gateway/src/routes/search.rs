//! `GET /api/search`: messages of the rooms I am a member of now that hold every term of
//! the query (any script, any case, inside words), the whole query as typed first, then
//! the newest; with a snippet each. The index is kept by the `indexer`.

use super::common::{decode_time_id, encode_time_id, invalid, readable_room};
use crate::auth::AuthUser;
use crate::blocking;
use crate::error::ApiError;
use crate::openapi::Authenticated;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use parley_db::search::{self, Position};
use parley_schema::error::ErrorResponse;
use parley_schema::model::{SearchHit, SearchResults};
use parley_schema::search::{snippet, Query, QueryError, MAX_QUERY_CHARS, MAX_TERMS};
use parley_schema::{MessageId, RoomId};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 50;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to find: up to 100 characters, 1 to 8 terms separated by whitespace (or
    /// control characters).
    // The pattern is `parley_schema::search::QUERY_PATTERN` (a test checks).
    #[param(
        min_length = 1,
        max_length = 100,
        pattern = r"^[\s\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f]+(?:[\s\u0000-\u001f\u007f-\u009f]+[^\s\u0000-\u001f\u007f-\u009f]+){0,7}[\s\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub q: String,
    /// Only this room (I must be a member).
    pub room_id: Option<Uuid>,
    /// The `next_before` of the previous page.
    #[param(pattern = r"^[01]\.[0-9]{1,18}\.[0-9a-f]{32}$")]
    pub before: Option<String>,
    /// Results per page (1 to 50, default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/search",
    operation_id = "search",
    tag = "messages",
    summary = "Search my messages",
    description = "Messages of the rooms I am a member of now holding every term of `q`: \
                   Korean, Latin (any case) and mixed, matched inside words, so a one- or \
                   two-syllable Korean query finds its word anywhere. Messages holding the \
                   whole query as typed come first, then the newest. Each result has the \
                   message as history shows it and a snippet with the matches marked. \
                   Deleted messages leave the results; edited ones are found by their new \
                   text.",
    params(SearchQuery),
    responses(
        Authenticated,
        (status = 200, description = "The results.", body = SearchResults),
        (status = 400, description = "`validation_failed`: field `q` (empty, over 100 \
            characters or over 8 terms), `before` (not a `next_before`), `limit` (not 1 \
            to 50), or `query` (not an integer, not a UUID).", body = ErrorResponse),
        (status = 403, description = "`not_a_member` of `room_id`.", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such room.", body = ErrorResponse),
    )
)]
pub async fn search(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let parsed = Query::parse(&query.q).map_err(|e| {
        invalid(
            "q",
            match e {
                QueryError::Empty => "q must hold something to find".to_owned(),
                QueryError::TooLong => format!("q must be at most {MAX_QUERY_CHARS} characters"),
                QueryError::TooManyTerms => format!("q must have at most {MAX_TERMS} terms"),
            },
        )
    })?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid("limit", format!("limit must be 1 to {MAX_LIMIT}")));
    }
    let after = match query.before.as_deref() {
        Some(b) => Some(decode(b).ok_or_else(|| invalid("before", "before is not a next_before"))?),
        None => None,
    };
    let (user, room) = (auth.user_id, query.room_id.map(RoomId::from));
    let terms = parsed.terms.clone();
    let (hits, messages) = blocking::with_conn(&state.db, move |c| {
        if let Some(room) = room {
            readable_room(c, room, user, true)?;
        }
        let hits = search::find(c, user, &parsed, room, after, limit + 1)?;
        let ids: Vec<MessageId> = hits
            .iter()
            .take(limit as usize)
            .map(|h| MessageId(h.message_id))
            .collect();
        let messages = parley_db::messages::find_many_for(c, &ids, Some(user))?;
        Ok((hits, messages))
    })
    .await?;
    let next_before = (hits.len() as i64 > limit)
        .then(|| hits.get(limit as usize - 1).map(|h| encode(h.position())))
        .flatten();
    let mut by_id: HashMap<MessageId, _> = messages.into_iter().map(|m| (m.id, m)).collect();
    let results = hits
        .iter()
        .take(limit as usize)
        .filter_map(|h| by_id.remove(&MessageId(h.message_id)))
        // The index may lag a deletion by a moment; history is the truth.
        .filter(|m| !m.deleted)
        .map(|m| SearchHit {
            snippet: snippet(&m.body, &terms),
            message: m,
        })
        .collect();
    Ok(HttpResponse::Ok().json(SearchResults {
        results,
        next_before,
    }))
}

/// `next_before`: whether the phrase matched, then the message's time and id.
fn encode(p: Position) -> String {
    let at = encode_time_id(p.created_at, p.message_id.0);
    format!("{}.{at}", u8::from(p.phrase))
}

fn decode(s: &str) -> Option<Position> {
    let phrase = match s.split_once('.')? {
        ("1", _) => true,
        ("0", _) => false,
        _ => return None,
    };
    let (created_at, id) = decode_time_id(s.get(2..)?)?;
    Some(Position {
        phrase,
        created_at,
        message_id: MessageId(id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use parley_schema::search::QUERY_PATTERN;

    #[test]
    fn the_documented_pattern_of_q_is_the_one_the_parser_follows() {
        let doc: serde_json::Value =
            serde_json::from_str(crate::openapi::document()).unwrap_or_default();
        let params = &doc["paths"]["/api/search"]["get"]["parameters"];
        let q = (params.as_array().into_iter().flatten()).find(|p| p["name"] == "q");
        let pattern = q.map(|q| q["schema"]["pattern"].clone());
        assert_eq!(pattern, Some(serde_json::json!(QUERY_PATTERN)));
    }

    #[test]
    fn a_next_before_round_trips_and_junk_does_not_decode() {
        let p = Position {
            phrase: true,
            created_at: DateTime::<Utc>::from_timestamp_micros(1_764_633_600_123_456)
                .unwrap_or_default(),
            message_id: MessageId(Uuid::new_v4()),
        };
        assert_eq!(decode(&encode(p)), Some(p));
        for junk in [
            "",
            "2.1.x",
            "1.abc.00000000000000000000000000000000",
            "1.1.1.1",
        ] {
            assert_eq!(decode(junk), None, "{junk}");
        }
    }
}
