//! The `text/event-stream` answer of `GET /api/events`, described as an SSE parser reads
//! it: each event is `{event, data, id?, retry?}`, and `data` is a string of JSON
//! (`contentMediaType`) in the event's own schema (`contentSchema`).
//!
//! In OpenAPI 3.1 the `schema` of a streamed media type describes one event (3.2 adds
//! `itemSchema` for that); Schemathesis reads the stream and checks each event against
//! it, the `data` of each against its `contentSchema`.

use serde_json::json;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{OpenApi, Ref, RefOr};
use utoipa::{Modify, PartialSchema, ToSchema};

/// Every event a stream sends: its `event:` name and the schema of its `data`.
pub(crate) const EVENTS: [(&str, &str); 20] = [
    ("ready", "ReadyEvent"),
    ("message", "Message"),
    ("message_updated", "Message"),
    ("reaction", "ReactionEvent"),
    ("room", "RoomEvent"),
    ("member", "MemberEvent"),
    ("read", "ReadMarker"),
    ("room_settings", "RoomSettings"),
    ("friend", "FriendEvent"),
    ("profile", "User"),
    ("settings", "Settings"),
    ("invitation", "InvitationEvent"),
    ("block", "BlockEvent"),
    ("typing", "TypingEvent"),
    ("presence", "PresenceEvent"),
    ("result", "ResultEvent"),
    ("reset", "ResetEvent"),
    ("stream_closed", "StreamClosedEvent"),
    ("keepalive", "KeepaliveEvent"),
    ("reconnect", "ReconnectEvent"),
];

/// One event of the stream, as parsed.
pub(crate) struct StreamEvent;

/// The schema of one event named `name` whose data is the component `data`.
fn event(name: &str, data: &str) -> ObjectBuilder {
    // utoipa has no `contentSchema`; extensions are written flat into the object.
    let content: Extensions = [("contentSchema", json!(Ref::from_schema_name(data)))]
        .into_iter()
        .collect();
    let string = || ObjectBuilder::new().schema_type(Type::String);
    ObjectBuilder::new()
        .property("event", string().enum_values(Some([name])))
        .required("event")
        .property(
            "data",
            string()
                .content_media_type("application/json")
                .extensions(Some(content))
                .description(Some(format!("One line of JSON: `{data}`."))),
        )
        .required("data")
        .property(
            "id",
            string().description(Some(
                "The cursor to resume after this event (`ready` has none).",
            )),
        )
        .property("retry", ObjectBuilder::new().schema_type(Type::Integer))
}

impl PartialSchema for StreamEvent {
    fn schema() -> RefOr<Schema> {
        let description = "One event of `GET /api/events` as an SSE parser reads it: the \
            `event:` name, the `data:` (one line of JSON, in the schema that goes with the \
            name), the `id:` cursor and the `retry:` advice. Keep-alive comments carry no \
            event.";
        EVENTS
            .iter()
            .fold(OneOfBuilder::new(), |one_of, (name, data)| {
                one_of.item(event(name, data))
            })
            .description(Some(description))
            .into()
    }
}

impl ToSchema for StreamEvent {}

/// Gives the `200` of `GET /api/events` the [`StreamEvent`] schema.
pub(super) struct EventStream;

impl Modify for EventStream {
    fn modify(&self, openapi: &mut OpenApi) {
        let ok = (openapi.paths.paths.get_mut("/api/events"))
            .and_then(|item| item.get.as_mut())
            .and_then(|op| op.responses.responses.get_mut("200"));
        if let Some(RefOr::T(response)) = ok {
            if let Some(content) = response.content.get_mut("text/event-stream") {
                content.schema = Some(RefOr::Ref(Ref::from_schema_name(StreamEvent::name())));
            }
        }
    }
}
