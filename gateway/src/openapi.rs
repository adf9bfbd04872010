//! The OpenAPI 3.1 document of the HTTP API, generated from the handlers' `#[utoipa::path]`
//! annotations and the wire types of `parley-schema` (feature `openapi`), served at
//! `GET /api/openapi.json` and kept in the repository as `docs/openapi.json`.
//!
//! Tests here check that every route of the route table is documented with its method,
//! and that `docs/openapi.json` is the document the code generates.

use crate::routes::{friends, health, members, messages, reads, rooms, saved, sessions, users};
use actix_web::HttpResponse;
use parley_schema::error::ErrorResponse;
use parley_schema::event::{
    FriendChange, FriendEvent, MemberChange, MemberEvent, ReadyEvent, ResetEvent, ResultEvent,
    RoomChange, RoomEvent,
};
use parley_schema::model::{
    Accepted, Author, FriendList, Message, MessageList, PublicRoomList, ReadMarker, Room,
    RoomDetail, RoomList, RoomSummary, SavedList, SessionCreated, User, Visibility,
};
use parley_schema::requests::{
    CreateRoomRequest, LoginRequest, MarkReadRequest, RegisterRequest, SendMessageRequest,
    UpdateProfileRequest, UsernameRequest,
};
use parley_schema::{ErrorBody, ErrorCode, MessageId, RequestId, RoomId, UserId};
use serde::Serialize;
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// The document's top-level description.
const DESCRIPTION: &str = "\
Parley's HTTP and SSE API. The human reference is `docs/api.md`; this document is its \
machine-readable form, generated from the gateway's code and served at \
`GET /api/openapi.json`.

JSON in and out, UTF-8. Ids are UUID strings, times RFC 3339 UTC strings. Errors are the \
HTTP status plus `{\"error\": {\"code\", \"message\", \"field\"?}}` (`ErrorResponse`); any \
endpoint may also answer `500` with code `internal` (never with internal detail).

Writes are commands: they answer `202 Accepted` with `{request_id}` and the outcome arrives \
on the caller's event streams (`GET /api/events`) as a `result` event with that \
`request_id`. With `Prefer: wait=N` (N seconds, at most 30) a write answers with its \
outcome instead (and `Preference-Applied: wait`), or `202` if N runs out first. \
Register, login and logout always wait, and answer `504 timeout` when no outcome comes.";

/// The `Prefer` request header of writes.
pub(crate) const PREFER: &str = "`wait=N` (RFC 7240; N seconds, at most 30, decimals \
allowed): hold the response until the outcome is known and answer with it, marked \
`Preference-Applied: wait`. If N runs out first, or without this header: `202 Accepted`.";

/// The `202` answer of writes.
pub(crate) const ACCEPTED: &str = "Published; the outcome arrives on the caller's event \
streams as a `result` event with this `request_id` (its `status` and `body` are what \
`Prefer: wait` would have answered).";

pub(crate) const ERR_BAD_REQUEST: &str = "`invalid_json`: the body is not JSON; \
`validation_failed` (with `field`): a field is missing, of the wrong type or breaks a limit.";

pub(crate) const ERR_UNAUTHENTICATED: &str =
    "`unauthenticated`: no valid bearer token or session cookie.";

pub(crate) const ERR_CROSS_ORIGIN: &str = "`forbidden`: a cookie-authenticated write whose \
`Origin` names another origin.";

pub(crate) const ERR_TOO_LARGE: &str = "`payload_too_large`: the body is over 64 KiB.";

pub(crate) const ERR_UNAVAILABLE: &str =
    "`unavailable`: Postgres or Kafka cannot be reached; try again.";

pub(crate) const ERR_TIMEOUT: &str = "`timeout`: no outcome within the gateway's wait \
(`PARLEY_WAIT_TIMEOUT_SECS`, default 10 s); the command may still be applied.";

/// The description of `GET /api/events`.
pub(crate) const EVENTS: &str = "\
One stream per request, for the authenticated user; open one per login session (several \
tabs may each open one). It carries everything the user may see, from every gateway:

    id: <opaque cursor>
    event: <name>
    data: <one line of JSON>

| event | `data` schema | sent when |
|---|---|---|
| `ready` | `ReadyEvent` | first, on every connect (no `id:`) |
| `message` | `Message` | a message is stored in one of my rooms (mine too) |
| `room` | `RoomEvent` | a room I am in is created, changes (members come or go) or is deleted |
| `member` | `MemberEvent` | membership of one of my rooms changes, including my own |
| `read` | `ReadMarker` | my read marker moves by `PUT /api/rooms/{room_id}/read` (any device) |
| `friend` | `FriendEvent` | my friend list changes (any device) |
| `profile` | `User` | my profile changes (any device) |
| `result` | `ResultEvent` | a command I sent (from any session) is done: `status` and \
`body` are what `Prefer: wait` would have answered; `body` is the error object \
`{code, message, field?}` when `status` >= 400, `null` for 204 |
| `reset` | `ResetEvent` | the `Last-Event-ID` cannot be served: refetch state over HTTP |

Every event but `ready` carries an `id:`. Reconnecting with `Last-Event-ID` replays every \
event missed, in order within a room, none twice, and `ready` says `resumed: true`; a \
cursor older than what the gateway keeps (`PARLEY_REPLAY_PER_PARTITION` events per \
partition of the events topic, 5000 by default) or not understood gets `reset` instead \
(and the stream goes on live from there). A gateway that is still catching up with the \
events topic, or is behind the cursor (which any gateway can decode), holds the request up \
to 5 s first. A `: keep-alive` comment comes every \
`PARLEY_KEEPALIVE_SECS` (15 s) and `retry: 2000` on connect. A stream that falls more than \
`PARLEY_STREAM_BUFFER` events (1024) behind is closed; the client reconnects and resumes. \
Logging out closes the session's streams; deleting the account closes all of them.";

/// The `scope` of `GET /api/rooms`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // Documents the query parameter; never built.
pub(crate) enum RoomScope {
    /// My rooms, with my read state (the default).
    Mine,
    /// Public rooms I am not in.
    Public,
}

/// `GET /healthz`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: String,
}

/// `GET /readyz`: what answered.
#[derive(Serialize, ToSchema)]
pub(crate) struct Readiness {
    /// Postgres answered `SELECT 1`.
    pub postgres: bool,
    /// Kafka answered a metadata request within 2 s.
    pub kafka: bool,
    /// The events consumer has read every partition to its end since start-up.
    pub events_caught_up: bool,
}

/// `GET /api/rooms`: my rooms (`scope=mine`, the default) or public rooms to join
/// (`scope=public`).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Documents the two shapes; never built.
pub(crate) enum RoomListing {
    Mine(RoomList),
    Public(PublicRoomList),
}

/// Adds the two ways to authenticate.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`Authorization: Bearer <token>`, the token from `POST /api/sessions`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::COOKIE,
                "The session cookie set by `POST /api/sessions` (HttpOnly, SameSite=Lax). A \
                 write with it whose `Origin` names another origin is refused with `403 \
                 forbidden`.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Parley", description = DESCRIPTION),
    paths(
        health::healthz,
        health::readyz,
        health::metrics,
        users::register,
        users::profile,
        users::me,
        users::update_me,
        users::delete_me,
        sessions::login,
        sessions::logout,
        friends::list,
        friends::add,
        friends::remove,
        rooms::list,
        rooms::create,
        rooms::detail,
        members::delete_room,
        members::add,
        members::remove,
        messages::history,
        messages::send,
        reads::mark_read,
        saved::list,
        saved::save,
        saved::unsave,
        crate::events::stream::events,
        serve,
    ),
    components(schemas(
        UserId,
        RoomId,
        MessageId,
        RequestId,
        User,
        Author,
        Visibility,
        Room,
        RoomDetail,
        RoomSummary,
        RoomList,
        PublicRoomList,
        RoomListing,
        RoomScope,
        Message,
        MessageList,
        ReadMarker,
        SessionCreated,
        FriendList,
        SavedList,
        Accepted,
        RegisterRequest,
        LoginRequest,
        UpdateProfileRequest,
        CreateRoomRequest,
        UsernameRequest,
        SendMessageRequest,
        MarkReadRequest,
        ErrorResponse,
        ErrorBody,
        ErrorCode,
        ReadyEvent,
        ResultEvent,
        RoomEvent,
        RoomChange,
        MemberEvent,
        MemberChange,
        FriendEvent,
        FriendChange,
        ResetEvent,
        Health,
        Readiness,
    )),
    modifiers(&Security),
    tags(
        (name = "accounts", description = "Registration, my profile, public profiles."),
        (name = "sessions", description = "Logging in and out."),
        (name = "friends", description = "My friend list (one-way)."),
        (name = "rooms", description = "Rooms and their members."),
        (name = "messages", description = "History, sending, read markers."),
        (name = "saved", description = "The saved-messages drawer."),
        (name = "events", description = "The per-session SSE stream."),
        (name = "operations", description = "Health, readiness, metrics, this document."),
    )
)]
pub struct ApiDoc;

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
});

/// The OpenAPI document as served and as stored in `docs/openapi.json`.
pub fn document() -> &'static str {
    &DOCUMENT
}

/// `GET /api/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi",
    tag = "operations",
    summary = "This OpenAPI document",
    description = "The OpenAPI 3.1 document of this API, generated from the code; the same \
                   as `docs/openapi.json` in the repository. No authentication.",
    responses(
        (status = 200, description = "The document.",
            content_type = "application/json", body = Object),
    )
)]
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn stored_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json")
    }

    fn documented() -> Vec<(String, String)> {
        let doc: serde_json::Value = serde_json::from_str(document()).unwrap_or_default();
        let mut out = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
            for (path, item) in paths {
                for method in item.as_object().into_iter().flat_map(|o| o.keys()) {
                    out.push((method.clone(), path.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn the_document_is_generated() {
        assert!(document().starts_with('{'), "{}", document());
        let doc: serde_json::Value = serde_json::from_str(document()).unwrap_or_default();
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    }

    #[test]
    fn every_route_is_in_the_openapi_document() {
        let documented = documented();
        let missing: Vec<_> = crate::routes::ROUTES
            .iter()
            .filter(|(m, p)| !documented.iter().any(|(dm, dp)| dm == m && dp == p))
            .collect();
        assert!(
            missing.is_empty(),
            "routes without an OpenAPI operation (add #[utoipa::path] and list the handler \
             in ApiDoc): {missing:?}"
        );
    }

    #[test]
    fn every_openapi_operation_is_a_route() {
        let extra: Vec<_> = documented()
            .into_iter()
            .filter(|(m, p)| !crate::routes::ROUTES.contains(&(m.as_str(), p.as_str())))
            .collect();
        assert!(
            extra.is_empty(),
            "documented operations that the route table lacks: {extra:?}"
        );
    }

    #[test]
    fn every_operation_has_a_unique_id() {
        let doc: serde_json::Value = serde_json::from_str(document()).unwrap_or_default();
        let mut ids: Vec<&str> = doc["paths"]
            .as_object()
            .into_iter()
            .flat_map(|paths| paths.values())
            .filter_map(|item| item.as_object())
            .flat_map(|ops| ops.values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate operationId");
        assert_eq!(n, crate::routes::ROUTES.len());
    }

    #[test]
    fn docs_openapi_json_matches_the_code() {
        let path = stored_path();
        if std::env::var_os("PARLEY_UPDATE_OPENAPI").is_some_and(|v| !v.is_empty() && v != "0") {
            let written = std::fs::write(&path, document());
            assert!(written.is_ok(), "writing {}: {written:?}", path.display());
            return;
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            stored == document(),
            "{} is not the document the code generates; run \
             `PARLEY_UPDATE_OPENAPI=1 cargo test -p parley-gateway openapi` and commit it",
            path.display()
        );
    }
}
