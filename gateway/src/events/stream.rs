//! `GET /api/events`: one SSE stream per request, for the authenticated user.
//!
//! First `ready` (and `reset` when the cursor cannot be served), then the replay of what
//! the stream missed after `Last-Event-ID`, then live events. Keep-alive comments every
//! `PARLEY_KEEPALIVE_SECS`. When the client goes, the stream's slot is detached.

use super::hub::{Attached, Hub, Refused};
use super::replay::Start;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::places::Place;
use crate::state::AppState;
use actix_web::{web, HttpRequest, Responder};
use actix_web_lab::sse;
use futures_util::stream::{self, StreamExt};
use parley_schema::event::{ReadyEvent, ResetEvent};
use parley_schema::{ErrorCode, UserId};
use std::convert::Infallible;
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

fn json_event(name: &'static str, data: &impl serde::Serialize) -> sse::Data {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "{}".into());
    sse::Data::new(json).event(name)
}

const RESET: &str = "the stream's cursor is too old or unknown; refetch state over HTTP";

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
        (status = 503, description = "`unavailable`: the gateway is shutting down; reconnect \
            (another gateway serves the same cursor).",
            body = parley_schema::error::ErrorResponse),
    )
)]
pub async fn events(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
) -> Result<impl Responder, ApiError> {
    let cursor = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok());
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
    let Attached { slot, rx, start } = attach(&hub, &auth, cursor).await?;
    let guard = DetachOnDrop {
        hub,
        user: auth.user_id,
        slot,
        _place: place,
    };
    let ready = ReadyEvent {
        user_id: auth.user_id,
        resumed: matches!(start, Start::Replay(_)),
    };
    let mut first: Vec<sse::Event> = vec![json_event("ready", &ready).into()];
    let replay = match start {
        Start::Fresh => Vec::new(),
        Start::Replay(events) => events,
        Start::Reset(id) => {
            let reset = ResetEvent {
                reason: RESET.into(),
            };
            first.push(json_event("reset", &reset).id(id).into());
            Vec::new()
        }
    };
    let live = stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) });
    let body = stream::iter(first)
        .chain(stream::iter(replay))
        .chain(live)
        .map(move |e| {
            let _keep = &guard;
            Ok::<_, Infallible>(e)
        });
    Ok(sse::Sse::from_stream(body)
        .with_keep_alive(Duration::from_secs(state.config.keep_alive_secs.max(1)))
        .with_retry_duration(Duration::from_secs(2))
        .customize()
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no")))
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
    attached.map_err(|refused| {
        let message = match refused {
            Refused::Closed => "the gateway is shutting down",
            Refused::Ahead => "the event stream is not ready yet; retry",
        };
        ApiError::new(ErrorCode::Unavailable, message)
    })
}
