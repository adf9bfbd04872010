//! What many operations of the OpenAPI document share, written once: the `Prefer` header
//! of writes, the responses of every authenticated call and of every write, and
//! [`Conventions`], which adds what follows from those to each operation.
//!
//! Invariant: an operation that lists [`Authenticated`] is the one kind that takes a
//! session, so it alone gets the `bearer`/`cookie` security requirement; an operation
//! that lists [`PreferWait`] gets `Preference-Applied: wait` on its outcome (every 2xx
//! but `202`).

use parley_schema::error::ErrorResponse;
use parley_schema::model::Accepted;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::RefOr;
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

pub(crate) const ERR_UNAUTHENTICATED: &str =
    "`unauthenticated`: no valid bearer token or session cookie.";
const UNAVAILABLE: &str = "`unavailable`: Postgres or Kafka cannot be reached; try again.";
const ACCEPTED: &str = "Published; the outcome arrives on the caller's event streams as a \
    `result` event with this `request_id` (its `status` and `body` are what `Prefer: wait` \
    would have answered).";
const BAD_REQUEST: &str = "`invalid_json`: the body is not JSON; `validation_failed` (with \
    `field`): a field is missing, of the wrong type or breaks a limit.";
const CROSS_ORIGIN: &str =
    "`forbidden`: a cookie-authenticated write whose `Origin` names another origin.";
const TOO_LARGE: &str = "`payload_too_large`: the body is over 64 KiB.";
const TIMEOUT: &str = "`timeout`: no outcome within the gateway's wait \
    (`PARLEY_WAIT_TIMEOUT_SECS`, default 10 s); the command may still be applied.";

/// What every operation that takes a session can answer besides its own outcomes.
#[derive(IntoResponses)]
#[allow(dead_code)] // Documents the responses; never built.
pub(crate) enum Authenticated {
    #[response(status = 401, description = ERR_UNAUTHENTICATED)]
    Unauthenticated(ErrorResponse),
    #[response(status = 503, description = UNAVAILABLE)]
    Unavailable(ErrorResponse),
}

// One response each below; a field only names the body's schema and is never read.

/// The `503` of an operation without a session.
#[derive(IntoResponses)]
#[response(status = 503, description = UNAVAILABLE)]
pub(crate) struct Unavailable(#[allow(dead_code)] ErrorResponse);

/// The `202` of a write answered before its outcome is known.
#[derive(IntoResponses)]
#[response(status = 202, description = ACCEPTED)]
pub(crate) struct Queued(#[allow(dead_code)] Accepted);

/// The `400` of a JSON body that fails to parse or validate.
#[derive(IntoResponses)]
#[response(status = 400, description = BAD_REQUEST)]
pub(crate) struct BadRequest(#[allow(dead_code)] ErrorResponse);

/// The `403` of a cookie-authenticated write from another origin.
#[derive(IntoResponses)]
#[response(status = 403, description = CROSS_ORIGIN)]
pub(crate) struct CrossOrigin(#[allow(dead_code)] ErrorResponse);

/// The `413` of a body over the limit.
#[derive(IntoResponses)]
#[response(status = 413, description = TOO_LARGE)]
pub(crate) struct TooLarge(#[allow(dead_code)] ErrorResponse);

/// The `504` of a write that always waits for its outcome.
#[derive(IntoResponses)]
#[response(status = 504, description = TIMEOUT)]
pub(crate) struct TimedOut(#[allow(dead_code)] ErrorResponse);

/// Adds to each operation what its [`Authenticated`] and [`PreferWait`] imply.
pub(super) struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for p in openapi.paths.paths.values_mut() {
            let ops = [&mut p.get, &mut p.post, &mut p.put, &mut p.patch];
            for op in ops.into_iter().chain([&mut p.delete]).flatten() {
                apply(op);
            }
        }
    }
}

fn apply(op: &mut Operation) {
    let responses = &mut op.responses.responses;
    if matches!(responses.get("401"), Some(RefOr::T(r)) if r.description == ERR_UNAUTHENTICATED) {
        let session = ["bearer", "cookie"].map(|name| SecurityRequirement::new(name, [""; 0]));
        op.security = Some(session.into());
    }
    if op.parameters.iter().flatten().any(|p| p.name == "Prefer") {
        for (status, response) in responses {
            let outcome = status.starts_with('2') && status != "202";
            if let (true, RefOr::T(response)) = (outcome, response) {
                let wait = HeaderBuilder::new().description(Some("`wait`")).build();
                response.headers.insert("Preference-Applied".into(), wait);
            }
        }
    }
}
