//! The OpenAPI 3.1 document of the HTTP API, generated from the handlers' `#[utoipa::path]`
//! annotations and the wire types of `parley-schema` (feature `openapi`), served at
//! `GET /api/openapi.json` and kept in the repository as `docs/openapi.json`.
//!
//! The long descriptions are Markdown files beside this one (`openapi/*.md`), included as
//! they are; what many operations share (the `Prefer` header, common responses, the
//! security requirement) is written once in `openapi/shared.rs`. What the derives cannot
//! say is added by modifiers: the input rules as patterns (`openapi/rules.rs`), the events
//! of the stream (`openapi/stream.rs`) and the links between operations (`openapi/links.rs`). Tests (`openapi/tests.rs`) check that every
//! route of the route table is documented with its method, and that `docs/openapi.json` is
//! the document the code generates; `openapi/api_md.rs` holds `docs/api.md` to the same
//! document.

mod edit;
mod emoji;
mod links;
mod rules;
mod shared;
mod stream;

use crate::routes::{
    activity, blocks, devices, edits, friends, health, invitations, members, messages, metrics,
    reactions, reads, receipts, rooms, saved, search, sessions, signals, sync, users,
};
use actix_web::HttpResponse;
pub(crate) use emoji::Emoji;
use links::Links;
use parley_schema::activity::{ActivityItem, ActivityKind, ActivityPage};
use parley_schema::error::ErrorResponse;
use parley_schema::event::{
    FriendChange, FriendEvent, KeepaliveEvent, MemberChange, MemberEvent, ReactionEvent,
    ReadyEvent, ReconnectEvent, ResetEvent, ResultEvent, RoomChange, RoomEvent, StreamClosedEvent,
};
use parley_schema::model::{
    Accepted, Author, FriendList, Message, MessageList, PublicRoomList, Reaction, ReadMarker,
    ReplyPreview, Room, RoomDetail, RoomList, RoomMessages, RoomSettings, RoomSummary, SavedList,
    SearchHit, SearchResults, SeenList, SessionCreated, SessionInfo, SessionList, Settings,
    SyncState, User, Visibility,
};
use parley_schema::requests::{
    ChangePasswordRequest, CreateRoomRequest, EditMessageRequest, LoginRequest, MarkReadRequest,
    RegisterRequest, RoomSettingsRequest, SendMessageRequest, UpdateProfileRequest,
    UpdateSettingsRequest, UsernameRequest,
};
use parley_schema::search::Snippet;
use parley_schema::social::{
    BlockEvent, BlockList, ClientPresence, Invitation, InvitationChange, InvitationEvent,
    InvitationList, InvitedRoom, MemberAdded, Presence, PresenceEvent, PresenceRequest,
    TypingEvent,
};
use parley_schema::{ErrorBody, ErrorCode, InvitationId, MessageId, RequestId, RoomId, UserId};
use rules::InputRules;
pub(crate) use rules::Username;
use serde::Serialize;
use shared::Conventions;
pub(crate) use shared::{
    Authenticated, BadRequest, PreferWait, Queued, SignIn, TimedOut, TooLarge, ERR_UNAUTHENTICATED,
    WRONG_PASSWORD,
};
use std::sync::LazyLock;
use stream::{EventStream, StreamEvent};
use utoipa::openapi::schema::{AnyOfBuilder, Schema};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

/// The document's top-level description.
const DESCRIPTION: &str = include_str!("openapi/description.md");

/// The description of `GET /api/events`: the events, their data schemas, resuming.
pub(crate) const EVENTS: &str = include_str!("openapi/events.md");

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
    /// `false` once the gateway is stopping: it takes no new stream and ends its open
    /// ones over `PARLEY_DRAIN_SECS`, so a load balancer should send them elsewhere.
    pub accepting_streams: bool,
}

/// `GET /api/rooms`: `RoomList` (my rooms, `scope=mine`, the default) or `PublicRoomList`
/// (public rooms to join, `scope=public`).
///
/// `anyOf`, not `oneOf`: `{"rooms": []}` is both, and a room summary is also a room.
pub(crate) struct RoomListing;

impl PartialSchema for RoomListing {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(RoomList::name()))
            .item(Ref::from_schema_name(PublicRoomList::name()))
            .description(Some(
                "`RoomList` (my rooms, `scope=mine`, the default) or `PublicRoomList` \
                 (public rooms to join, `scope=public`).",
            ))
            .into()
    }
}

impl ToSchema for RoomListing {}

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
                "The session cookie set by `POST /api/sessions` (HttpOnly, SameSite=Lax, \
                 Max-Age). A write with it must come from this origin (a same-origin \
                 `Origin` or `Sec-Fetch-Site: same-origin`, else `403 forbidden`) and send \
                 its body as `application/json` (else `415 unsupported_media_type`).",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Parley", description = DESCRIPTION),
    paths(
        health::healthz, health::readyz, metrics::metrics,
        users::register, users::profile, users::me, users::update_me, users::delete_me,
        sessions::login, sessions::logout,
        devices::list, devices::revoke, devices::revoke_others, devices::change_password, activity::activity,
        friends::list, friends::add, friends::remove, blocks::list, blocks::block, blocks::unblock,
        rooms::list, rooms::create, rooms::detail,
        members::delete_room, members::add, members::remove,
        invitations::list, invitations::accept, invitations::decline, signals::typing, signals::presence,
        messages::history, messages::send, edits::edit, edits::delete,
        reactions::add, reactions::remove, receipts::seen, receipts::get, receipts::update, reads::mark_read, reads::room_settings,
        saved::list, saved::save, saved::unsave,
        search::search, sync::sync, crate::events::stream::events, serve,
    ),
    components(schemas(
        UserId, RoomId, MessageId, RequestId, User, Author, Visibility, Room, RoomDetail,
        RoomSummary, RoomList, PublicRoomList, RoomListing, RoomScope, Message, MessageList, ReplyPreview, Reaction, ReactionEvent, Emoji, ReplyPreview, Reaction, ReactionEvent, Emoji,
        ReadMarker, SessionCreated, SessionInfo, SessionList, ChangePasswordRequest, FriendList,
        SavedList, Accepted, RegisterRequest, LoginRequest, UpdateProfileRequest,
        CreateRoomRequest, UsernameRequest, Username, SendMessageRequest, EditMessageRequest, UpdateSettingsRequest, Settings, SeenList, RoomSettings, RoomSettingsRequest, MarkReadRequest,
        ErrorResponse, ErrorBody, ErrorCode, StreamEvent, ReadyEvent, ResultEvent, RoomEvent,
        RoomChange, MemberEvent, MemberChange, FriendEvent, FriendChange, ResetEvent,
        StreamClosedEvent, Health, Readiness, Presence, ClientPresence, PresenceRequest,
        PresenceEvent, TypingEvent, Invitation, InvitedRoom, InvitationList, InvitationChange,
        InvitationEvent, BlockList, BlockEvent, MemberAdded, InvitationId, SyncState,
        RoomMessages, KeepaliveEvent, ReconnectEvent, SearchHit, SearchResults, Snippet,
        ActivityPage, ActivityItem, ActivityKind,
    )),
    modifiers(&Security, &Conventions, &InputRules, &EventStream, &Links),
    tags(
        (name = "accounts", description = "Registration, my profile, public profiles."),
        (name = "sessions", description = "Logging in and out; my sessions (devices)."),
        (name = "friends", description = "My friend list (one-way)."),
        (name = "rooms", description = "Rooms and their members."),
        (name = "messages", description = "History, sending, read markers."),
        (name = "saved", description = "The saved-messages drawer."),
        (name = "signals", description = "Typing and presence: ephemeral, never stored."),
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
mod api_md;
#[cfg(test)]
mod tests;
