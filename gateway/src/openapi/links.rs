//! OpenAPI links: which answer gives the id another operation takes (a created room's `id`
//! is the `room_id` of its messages). Clients may follow them; Schemathesis' stateful phase
//! chains operations along them, so it sends messages to rooms that exist, saves messages
//! that exist and revokes sessions that exist, instead of guessing ids.

use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::Modify;

/// `(from operation, its status, to operation, [(parameter, runtime expression)])`.
type LinkRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const ROOM: &[(&str, &str)] = &[("room_id", "$response.body#/id")];
const MESSAGE: &[(&str, &str)] = &[("message_id", "$response.body#/id")];

const LINKS: &[LinkRow] = &[
    ("create_room", "201", "get_room", ROOM),
    ("create_room", "201", "list_messages", ROOM),
    ("create_room", "201", "send_message", ROOM),
    ("create_room", "201", "mark_read", ROOM),
    ("create_room", "201", "add_member", ROOM),
    ("create_room", "201", "delete_room", ROOM),
    ("send_message", "201", "save_message", MESSAGE),
    ("send_message", "201", "unsave_message", MESSAGE),
    (
        "send_message",
        "201",
        "list_messages",
        &[("room_id", "$response.body#/room_id")],
    ),
    (
        "add_member",
        "201",
        "remove_member",
        &[
            ("room_id", "$response.body#/id"),
            ("username", "$request.body#/username"),
        ],
    ),
    (
        "add_friend",
        "201",
        "remove_friend",
        &[("username", "$response.body#/username")],
    ),
    (
        "register",
        "201",
        "get_user",
        &[("username", "$response.body#/username")],
    ),
    (
        "list_sessions",
        "200",
        "revoke_session",
        &[("session_id", "$response.body#/sessions/0/id")],
    ),
];

/// Adds [`LINKS`] to the responses they start from.
pub(super) struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut OpenApi) {
        let ops = openapi.paths.paths.values_mut().flat_map(|item| {
            [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
        });
        for op in ops {
            add_links(op);
        }
    }
}

fn add_links(op: &mut Operation) {
    let from = op.operation_id.clone().unwrap_or_default();
    for (_, status, to, parameters) in LINKS.iter().filter(|row| row.0 == from) {
        if let Some(RefOr::T(response)) = op.responses.responses.get_mut(*status) {
            // utoipa 5.5 writes `LinkBuilder::operation_id` as `operation_id`, which no
            // OpenAPI reader knows; extensions are written as named, so `operationId` goes
            // there.
            let target: Extensions = [("operationId", *to)].into_iter().collect();
            let link = parameters
                .iter()
                .fold(LinkBuilder::new(), |link, (name, value)| {
                    link.parameter(*name, *value)
                })
                .extensions(Some(target));
            response.links.insert((*to).to_owned(), link.build().into());
        }
    }
}
