//! `GET /api/events`: one SSE stream per request, for the authenticated user.
//!
//! First `ready` (and `reset` when the cursor cannot be served), then the replay of what
//! the stream missed after its cursor (`Last-Event-ID`, else `?cursor=`), then live
//! events, with a `keepalive` event every `PARLEY_KEEPALIVE_SECS`. When the client goes,
//! the stream's slot is detached. A gateway at `PARLEY_MAX_STREAMS` answers `503`.

use super::hub::{Attached, Hub, Refused};
use super::replay::Start;
use super::sse;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::metrics::StreamStart;
use crate::places::Place;
use crate::state::AppState;
use actix_web::{web, HttpRequest, Responder};
use futures_util::stream::StreamExt;
use parley_schema::event::{ReadyEvent, ResetEvent};
use parley_schema::{ErrorCode, UserId};
use rand::Rng;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// Detaches the stream's slot when actix drops the response body (client gone), and gives
/// its address's place back.
struct DetachOnDrop {
    hub: Arc<Hub>,
    user: UserId,
    slot: u64,
    _place: Option<Place>,
}

impl Drop for DetachOnDrop {
    fn drop(&mut self) {
        self.hub.detach(self.user, self.slot);
    }
}

const RESET: &str = "the stream's cursor is too old or unknown; refetch state over HTTP";

/// `GET /api/events?cursor=`: where to resume when the request cannot carry
/// `Last-Event-ID` (a new `EventSource` in another tab); the header wins when both come.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The `id:` of the last event received, or the `cursor` of `GET /api/sync`. Like
    /// `Last-Event-ID`, one that cannot be served gets `reset`, not an error.
    pub cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/events",
    operation_id = "events",
    tag = "events",
    summary = "The event stream",
    description = crate::openapi::EVENTS,
    params(
        ("Last-Event-ID" = Option<String>, Header, nullable = false,
            description = "The `id:` of the last event \
            received (EventSource sends it by itself on reconnect): the stream replays every \
            event missed after it, or sends `reset` when it cannot."),
        EventsQuery,
    ),
    responses(
        (status = 200, description = "A `text/event-stream` that stays open. Each event is \
            `id: <cursor>`, `event: <name>`, `data: <one line of JSON>`; see the operation's \
            description for the names and their `data` schemas.",
            content_type = "text/event-stream", body = String),
        (status = 401, description = crate::openapi::ERR_UNAUTHENTICATED,
            body = parley_schema::error::ErrorResponse),
        (status = 429, description = "`rate_limited`: this address has \
            `PARLEY_STREAMS_PER_ADDRESS` streams open.",
            body = parley_schema::error::ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "`unavailable`: the gateway is shutting down, or holds \
            `PARLEY_MAX_STREAMS` streams already (no stream is evicted for a new one); \
            reconnect after `Retry-After` (another gateway serves the same cursor).",
            body = parley_schema::error::ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait (1 to 5, spread)."))),
    )
)]
pub async fn events(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<EventsQuery>,
) -> Result<impl Responder, ApiError> {
    let header = req.headers().get("last-event-id");
    let cursor = header
        .and_then(|v| v.to_str().ok())
        .or(query.cursor.as_deref());
    let place = match state.config.trusted_proxies.client_ip(&req) {
        // Past the address's cap: refused, since it may not evict a stranger's stream.
        Some(addr) => Some(
            state
                .addr_streams
                .take(addr)
                .ok_or_else(|| ApiError::rate_limited(Duration::from_secs(5)))?,
        ),
        None => None,
    };
    let hub = Arc::clone(&state.hub);
    let Attached { slot, rx, start } = attach(&hub, &auth, cursor).await.inspect_err(|e| {
        if matches!(e, ApiError::Full { .. }) {
            state.metrics.streams_refused_full.inc();
        }
    })?;
    let guard = DetachOnDrop {
        hub,
        user: auth.user_id,
        slot,
        _place: place,
    };
    let keepalive = state.config.keep_alive_secs.max(1);
    let ready = ReadyEvent {
        user_id: auth.user_id,
        resumed: matches!(start, Start::Replay(_)),
        keepalive_secs: keepalive,
        gateway: state.gateway_id.clone(),
    };
    let mut first = vec![sse::json_event("ready", &ready).into()];
    let how = match start {
        Start::Fresh => StreamStart::Fresh,
        Start::Replay(events) => {
            first.extend(events);
            StreamStart::Resumed
        }
        Start::Reset(id) => {
            let reset = ResetEvent {
                reason: RESET.into(),
            };
            first.push(sse::json_event("reset", &reset).id(id).into());
            StreamStart::Reset
        }
    };
    state.metrics.count_stream_start(how);
    let body = sse::events(first, rx, Duration::from_secs(keepalive)).map(move |e| {
        let _keep = &guard;
        e
    });
    Ok(sse::response(body))
}

/// How long a stream waits for the hub to catch up, or to reach the stream's cursor.
const ATTACH_WAIT: Duration = Duration::from_secs(5);

/// Attaches to the hub, waiting for it to catch up at start-up or when the cursor came
/// from a gateway that is a little further along: woken by the hub's progress, not polled.
async fn attach(hub: &Hub, auth: &AuthUser, cursor: Option<&str>) -> Result<Attached, ApiError> {
    let (user, session, name) = (auth.user_id, auth.session_id, &auth.user.username);
    let servable = async {
        loop {
            // Taken before the check, so progress made in between still wakes us.
            let progress = hub.progress();
            if hub.is_caught_up() {
                match hub.attach_as(user, name, session, cursor) {
                    Err(Refused::Ahead) => {}
                    done => return done,
                }
            }
            progress.await;
        }
    };
    let attached = match tokio::time::timeout(ATTACH_WAIT, servable).await {
        Ok(attached) => attached,
        // Still not servable: a stream that asked to resume gets `reset` (empty cursor).
        Err(_) => hub.attach_as(user, name, session, cursor.map(|_| "")),
    };
    attached.map_err(|refused| match refused {
        Refused::Closed => ApiError::new(ErrorCode::Unavailable, "the gateway is shutting down"),
        Refused::Ahead => ApiError::new(
            ErrorCode::Unavailable,
            "the event stream is not ready yet; retry",
        ),
        // Spread, so that the refused do not all come back in the same second.
        Refused::Full => ApiError::full(Duration::from_secs(rand::thread_rng().gen_range(1..=5))),
    })
}
