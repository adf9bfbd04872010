//! The one path of every write: [`submit`] turns a validated change into a command,
//! registers a waiter when the caller waits, publishes the command, waits as asked, and
//! [`Sent::respond`] maps what came of it to the HTTP answer.
//!
//! Invariants: the waiter is registered before the command is published, so a fast
//! outcome is never missed; `202` means the command is durable; a write that must wait
//! (register, login, logout) answers with its outcome or `504 timeout`, never `202`.

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::prefer;
use crate::state::AppState;
use actix_web::body::BoxBody;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Responder, ResponseError};
use chrono::Utc;
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::ResultEvent;
use parley_schema::model::Accepted;
use parley_schema::{ErrorBody, ErrorCode, RequestId, SessionId, UserId};
use std::time::Duration;
use tracing::Instrument;

/// How long a write waits for its outcome.
#[derive(Debug, Clone, Copy)]
pub enum Wait {
    /// `Prefer: wait=N` (or no wait): the outcome if it comes in time, else `202`.
    Preferred(Option<Duration>),
    /// Register, login, logout: the outcome within `PARLEY_WAIT_TIMEOUT_SECS`, or `504`.
    Required,
}

impl Wait {
    /// The wait the request's `Prefer` header asks for.
    pub fn preferred(req: &HttpRequest) -> Self {
        Self::Preferred(prefer::wait(req))
    }
}

/// Who a command is from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin {
    pub actor: Option<UserId>,
    pub session: Option<SessionId>,
}

impl Origin {
    /// A user who is not authenticated by a session yet (login).
    pub fn user(actor: UserId) -> Self {
        Self {
            actor: Some(actor),
            session: None,
        }
    }
}

impl From<&AuthUser> for Origin {
    fn from(auth: &AuthUser) -> Self {
        Self {
            actor: Some(auth.user_id),
            session: Some(auth.session_id),
        }
    }
}

/// What came of a submitted command.
#[derive(Debug)]
pub enum Sent {
    /// Published; the outcome will come as a `result` event.
    Accepted(RequestId),
    /// The outcome; `preferred` when the caller asked for it with `Prefer: wait`.
    Done {
        result: ResultEvent,
        preferred: bool,
    },
}

/// The per-user limits: sends have their own; logging out is never limited, and a login
/// (no session yet) is limited per address and account before its hash.
fn limit(state: &AppState, origin: &Origin, command: &Command) -> Result<(), ApiError> {
    let (Some(user), Some(_)) = (origin.actor, origin.session) else {
        return Ok(());
    };
    match command {
        Command::SendMessage { .. } => state.limits.send(user),
        Command::CloseSession { .. } | Command::TouchSession { .. } => Ok(()),
        _ => state.limits.write(user),
    }
}

/// Publishes `command` from `origin` and waits for its outcome as `wait` says.
///
/// The handler's span gets the command's `request_id` (when it declares the field), and the
/// publish and the wait run in a `command` span that carries it too.
pub async fn submit(
    state: &AppState,
    origin: impl Into<Origin>,
    command: Command,
    wait: Wait,
) -> Result<Sent, ApiError> {
    let origin = origin.into();
    limit(state, &origin, &command)?;
    let timeout = match wait {
        Wait::Preferred(d) => d,
        Wait::Required => Some(Duration::from_secs(state.config.wait_timeout_secs)),
    };
    let env = CommandEnvelope {
        result_wanted: timeout.is_some()
            || !matches!(
                command,
                Command::SendMessage { .. } | Command::TouchSession { .. }
            ),
        request_id: RequestId::new(),
        actor: origin.actor,
        session_id: origin.session,
        gateway_id: state.gateway_id.clone(),
        issued_at: Utc::now(),
        command,
    };
    let request_id = env.request_id;
    tracing::Span::current().record("request_id", tracing::field::display(request_id));
    let span = tracing::info_span!("command", %request_id, kind = env.command.kind());
    let preferred = matches!(wait, Wait::Preferred(_));
    publish_and_wait(state, env, timeout, preferred)
        .instrument(span)
        .await
}

async fn publish_and_wait(
    state: &AppState,
    env: CommandEnvelope,
    timeout: Option<Duration>,
    preferred: bool,
) -> Result<Sent, ApiError> {
    let waiter = timeout.map(|_| state.waiters.register(env.request_id));
    state.metrics.commands_in_flight.inc();
    let published = state.publisher.publish(&env).await;
    state.metrics.commands_in_flight.dec();
    published?;
    let (Some(waiter), Some(timeout)) = (waiter, timeout) else {
        return Ok(Sent::Accepted(env.request_id));
    };
    match waiter.wait(timeout).await {
        Some(result) => Ok(Sent::Done { result, preferred }),
        None if preferred => Ok(Sent::Accepted(env.request_id)),
        None => Err(ApiError::new(
            ErrorCode::Timeout,
            "no outcome in time; the command may still be applied",
        )),
    }
}

/// Handlers answer with what [`submit`] gave.
impl Responder for Sent {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        self.respond()
    }
}

impl Sent {
    /// The HTTP answer: `202` with the `request_id`, or the outcome (marked
    /// `Preference-Applied: wait` when the caller asked to wait).
    pub fn respond(self) -> HttpResponse {
        match self {
            Self::Accepted(request_id) => HttpResponse::Accepted().json(Accepted { request_id }),
            Self::Done { result, preferred } => {
                let mut resp = result_response(result);
                if preferred {
                    resp.headers_mut().insert(
                        HeaderName::from_static("preference-applied"),
                        HeaderValue::from_static("wait"),
                    );
                }
                resp
            }
        }
    }
}

/// A `result` event as an HTTP response: the resource, no content, or the error.
fn result_response(result: ResultEvent) -> HttpResponse {
    let status = StatusCode::from_u16(result.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_client_error() || status.is_server_error() {
        let body = serde_json::from_value::<ErrorBody>(result.body).unwrap_or_else(|_| {
            ErrorBody::new(ErrorCode::Internal, "something went wrong on our side")
        });
        return ApiError::Client(body).error_response();
    }
    if status == StatusCode::NO_CONTENT {
        return HttpResponse::NoContent().finish();
    }
    HttpResponse::build(status).json(result.body)
}
