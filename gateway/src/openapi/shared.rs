//! What many operations of the OpenAPI document share, written once: the `Prefer` header
//! of writes, the responses of every authenticated call and of sign-ins, and
//! [`Conventions`], which adds to each operation what follows from its kind.
//!
//! Invariants: an operation that lists [`Authenticated`] is the one kind that takes a
//! session, so it alone gets the `bearer`/`cookie` security requirement; an operation
//! that lists [`PreferWait`] gets `Preference-Applied: wait` on its outcome (every 2xx
//! but `202`); every write (any method but GET) gets the `403` of the CSRF check
//! (`crate::csrf`) and its `415`, every authenticated write but those `dispatch` leaves
//! unlimited the `429` of the per-user write limit, and every operation with a UUID in
//! its path the `404` of an id that is not one (`crate::json::path_config`).

use parley_schema::error::ErrorResponse;
use parley_schema::model::Accepted;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, Modify};

/// The `Prefer` request header of writes.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // Documents the header; `prefer::wait` reads it.
pub(crate) struct PreferWait {
    #[doc = "`wait=N` (RFC 7240; N seconds, at most 30, decimals allowed): hold the \
             response until the outcome is known and answer with it, marked \
             `Preference-Applied: wait`. If N runs out first, or without this header: \
             `202 Accepted`."]
    #[param(rename = "Prefer", nullable = false, example = "wait=10")]
    prefer: Option<String>,
}

macro_rules! unauthenticated {
    () => {
        "`unauthenticated`: no valid bearer token or session cookie."
    };
}
/// The start of every `401` of an operation that takes a session (see [`Conventions`]).
pub(crate) const ERR_UNAUTHENTICATED: &str = unauthenticated!();
/// The `401` of an operation that takes a session and checks a password.
pub(crate) const WRONG_PASSWORD: &str = concat!(
    unauthenticated!(),
    " `invalid_credentials`: the current password is wrong."
);
const UNAVAILABLE: &str = "`unavailable`: Postgres or Kafka cannot be reached; try again.";
const BUSY: &str = "`unavailable`: Postgres or Kafka cannot be reached, or too many \
    passwords are being checked at once (the hashing queue, `PARLEY_HASH_QUEUE`, is full: \
    then with `Retry-After`); try again.";
const SIGN_IN_LIMIT: &str = "`rate_limited`: too many sign-ins (registrations, logins, \
    password changes) from this client address (`PARLEY_AUTH_ADDR_RATE` per second, bursts \
    of `PARLEY_AUTH_ADDR_BURST`; at most two being hashed at once), or too many attempts on \
    this account (`PARLEY_AUTH_ACCOUNT_RATE`, `PARLEY_AUTH_ACCOUNT_BURST`); per gateway.";
const ACCEPTED: &str = "Published; the outcome arrives on the caller's event streams as a \
    `result` event with this `request_id` (its `status` and `body` are what `Prefer: wait` \
    would have answered).";
const BAD_REQUEST: &str = "`invalid_json`: the body is not JSON; `validation_failed` (with \
    `field`): a field is missing, of the wrong type or breaks a limit.";
const TOO_LARGE: &str = "`payload_too_large`: the body is over 64 KiB.";
const TIMEOUT: &str = "`timeout`: no outcome within the gateway's wait \
    (`PARLEY_WAIT_TIMEOUT_SECS`, default 10 s); the command may still be applied.";
const CROSS_SITE: &str = "`forbidden`: refused by the CSRF check: a browser says the write \
    comes from another site (`Sec-Fetch-Site`, or an `Origin` of another host), or it carries \
    the session cookie without a same-origin `Origin` or `Sec-Fetch-Site: same-origin`.";
const NOT_JSON: &str = "`unsupported_media_type`: a write with the session cookie whose body \
    is not sent as `application/json`.";
const WRITE_LIMIT: &str = "`rate_limited`: over the per-user write limit \
    (`PARLEY_WRITE_RATE` per second on average, bursts of `PARLEY_WRITE_BURST`; per \
    gateway).";
const NOT_A_UUID: &str = "`not_found`: the id in the path is not a UUID.";

/// The authenticated writes that no limit applies to (`dispatch::limit`): ending a session
/// must always work.
pub(crate) const UNLIMITED_WRITES: [(&str, &str); 3] = [
    ("delete", "/api/sessions/current"),
    ("delete", "/api/sessions/{session_id}"),
    // Past its rate, typing is dropped silently (204).
    ("post", "/api/rooms/{room_id}/typing"),
];

/// What every operation that takes a session can answer besides its own outcomes.
#[derive(IntoResponses)]
#[allow(dead_code)] // Documents the responses; never built.
pub(crate) enum Authenticated {
    #[response(status = 401, description = ERR_UNAUTHENTICATED)]
    Unauthenticated(ErrorResponse),
    #[response(status = 503, description = UNAVAILABLE)]
    Unavailable(ErrorResponse),
}

/// What the operations that check a password (and hash it) answer besides their own
/// outcomes: the sign-in limits and the full hashing queue. Listed after [`Authenticated`].
#[derive(IntoResponses)]
#[allow(dead_code)] // Documents the responses; never built.
pub(crate) enum SignIn {
    #[response(status = 429, description = SIGN_IN_LIMIT,
        headers(("Retry-After" = u64, description = "Seconds to wait.")))]
    Limited(ErrorResponse),
    #[response(status = 503, description = BUSY,
        headers(("Retry-After" = u64, description = "Seconds to wait (a full hashing queue).")))]
    Busy(ErrorResponse),
}

// One response each below; a field only names the body's schema and is never read.

/// The `202` of a write answered before its outcome is known.
#[derive(IntoResponses)]
#[response(status = 202, description = ACCEPTED)]
pub(crate) struct Queued(#[allow(dead_code)] Accepted);

/// The `400` of a JSON body that fails to parse or validate.
#[derive(IntoResponses)]
#[response(status = 400, description = BAD_REQUEST)]
pub(crate) struct BadRequest(#[allow(dead_code)] ErrorResponse);

/// The `413` of a body over the limit.
#[derive(IntoResponses)]
#[response(status = 413, description = TOO_LARGE)]
pub(crate) struct TooLarge(#[allow(dead_code)] ErrorResponse);

/// The `504` of a write that always waits for its outcome.
#[derive(IntoResponses)]
#[response(status = 504, description = TIMEOUT)]
pub(crate) struct TimedOut(#[allow(dead_code)] ErrorResponse);

/// Adds to each operation what its kind implies (the invariants above).
pub(super) struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            let ops = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("patch", &mut item.patch),
                ("delete", &mut item.delete),
            ];
            for (method, op) in ops {
                if let Some(op) = op {
                    apply(op, method, path);
                }
            }
        }
    }
}

fn apply(op: &mut Operation, method: &str, path: &str) {
    let authenticated = matches!(op.responses.responses.get("401"),
        Some(RefOr::T(r)) if r.description.starts_with(ERR_UNAUTHENTICATED));
    if authenticated {
        let session = ["bearer", "cookie"].map(|name| SecurityRequirement::new(name, [""; 0]));
        op.security = Some(session.into());
    }
    let waits = op.parameters.iter().flatten().any(|p| p.name == "Prefer");
    let uuid_in_path = op.parameters.iter().flatten().any(|p| {
        let uuid = SchemaFormat::KnownFormat(KnownFormat::Uuid);
        p.parameter_in == ParameterIn::Path
            && matches!(&p.schema, Some(RefOr::T(Schema::Object(o))) if o.format == Some(uuid))
    });
    let responses = &mut op.responses.responses;
    if waits {
        for (status, response) in responses.iter_mut() {
            let outcome = status.starts_with('2') && status != "202";
            if let (true, RefOr::T(response)) = (outcome, response) {
                let wait = HeaderBuilder::new().description(Some("`wait`")).build();
                response.headers.insert("Preference-Applied".into(), wait);
            }
        }
    }
    if uuid_in_path {
        responses
            .entry("404".into())
            .or_insert_with(|| error(NOT_A_UUID, None));
    }
    if method == "get" {
        return;
    }
    match responses.get_mut("403") {
        Some(RefOr::T(own)) => own.description = format!("{} Also {CROSS_SITE}", own.description),
        _ => {
            responses.insert("403".into(), error(CROSS_SITE, None));
        }
    }
    responses.insert("415".into(), error(NOT_JSON, None));
    if authenticated && !UNLIMITED_WRITES.contains(&(method, path)) {
        let wait = retry_after("Seconds until the next write is allowed.");
        responses
            .entry("429".into())
            .or_insert_with(|| error(WRITE_LIMIT, Some(wait)));
    }
}

/// An error response (`ErrorResponse` body) described by `description`.
fn error(description: &str, retry: Option<Header>) -> RefOr<Response> {
    let body = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorResponse")))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content("application/json", body);
    if let Some(header) = retry {
        response = response.header("Retry-After", header);
    }
    RefOr::T(response.build())
}

fn retry_after(description: &str) -> Header {
    let seconds = utoipa::openapi::ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(0));
    HeaderBuilder::new()
        .schema(seconds)
        .description(Some(description))
        .build()
}
