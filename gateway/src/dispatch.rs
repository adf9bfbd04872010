//! Turning a validated write into a command, publishing it, and answering: `202` with the
//! `request_id`, or, when the caller waits, the outcome from the `result` event.

use crate::auth::AuthUser;
use crate::error::{error_response, ApiError};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::Utc;
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::event::ResultEvent;
use parley_schema::model::Accepted;
use parley_schema::{ErrorBody, ErrorCode, RequestId, UserId};
use std::time::Duration;

/// How long a write waits for its outcome.
#[derive(Debug, Clone, Copy)]
pub enum Wait {
    /// Answer `202` at once.
    No,
    /// `Prefer: wait=N`: the outcome if it comes in time, else `202`.
    Prefer(Duration),
    /// Register, login, logout: the outcome, or `504 timeout`.
    Required(Duration),
}

impl Wait {
    pub fn from_prefer(d: Option<Duration>) -> Self {
        d.map_or(Self::No, Self::Prefer)
    }
}

/// Publishes `command` for `auth` and answers according to `wait`.
pub async fn submit(
    state: &AppState,
    auth: &AuthUser,
    command: Command,
    wait: Wait,
) -> Result<HttpResponse, ApiError> {
    let outcome = send(state, Some(auth.user_id), Some(auth), command, wait).await?;
    Ok(respond(outcome))
}

/// Publishes `command` for `auth`, waiting as the request's `Prefer: wait` asks.
pub async fn submit_as_preferred(
    req: &actix_web::HttpRequest,
    state: &AppState,
    auth: &AuthUser,
    command: Command,
) -> Result<HttpResponse, ApiError> {
    submit(
        state,
        auth,
        command,
        Wait::from_prefer(crate::prefer::wait(req)),
    )
    .await
}

/// What came of a published command.
pub enum Sent {
    Accepted(RequestId),
    Done(ResultEvent),
}

/// Publishes a command and waits as asked; the raw outcome, for handlers that shape it.
pub async fn send(
    state: &AppState,
    actor: Option<UserId>,
    auth: Option<&AuthUser>,
    command: Command,
    wait: Wait,
) -> Result<Sent, ApiError> {
    let env = CommandEnvelope {
        request_id: RequestId::new(),
        actor,
        session_id: auth.map(|a| a.session_id),
        gateway_id: state.gateway_id.clone(),
        issued_at: Utc::now(),
        command,
    };
    let span =
        tracing::info_span!("command", request_id = %env.request_id, kind = env.command.kind());
    let _entered = span.enter();
    let waiter = match wait {
        Wait::No => None,
        Wait::Prefer(_) | Wait::Required(_) => Some(state.waiters.register(env.request_id)),
    };
    state.metrics.commands_in_flight.inc();
    let published = state.publisher.publish(&env).await;
    state.metrics.commands_in_flight.dec();
    published?;
    let (Some(waiter), Wait::Prefer(d) | Wait::Required(d)) = (waiter, wait) else {
        return Ok(Sent::Accepted(env.request_id));
    };
    match (waiter.wait(d).await, wait) {
        (Some(result), _) => Ok(Sent::Done(result)),
        (None, Wait::Required(_)) => Err(ApiError::new(
            ErrorCode::Timeout,
            "no outcome in time; the command may still be applied",
        )),
        (None, _) => Ok(Sent::Accepted(env.request_id)),
    }
}

/// The HTTP answer for an outcome.
pub fn respond(sent: Sent) -> HttpResponse {
    match sent {
        Sent::Accepted(request_id) => HttpResponse::Accepted().json(Accepted { request_id }),
        Sent::Done(result) => {
            let mut resp = result_response(result);
            resp.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("preference-applied"),
                actix_web::http::header::HeaderValue::from_static("wait"),
            );
            resp
        }
    }
}

/// A `result` event as an HTTP response: the resource, no content, or the error.
pub fn result_response(result: ResultEvent) -> HttpResponse {
    let status = StatusCode::from_u16(result.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_client_error() || status.is_server_error() {
        let body = serde_json::from_value::<ErrorBody>(result.body).unwrap_or_else(|_| {
            ErrorBody::new(ErrorCode::Internal, "something went wrong on our side")
        });
        return error_response(body);
    }
    if status == StatusCode::NO_CONTENT {
        return HttpResponse::NoContent().finish();
    }
    HttpResponse::build(status).json(result.body)
}

/// The answer for a write that must wait (register, login, logout).
pub fn respond_required(sent: Sent) -> HttpResponse {
    match sent {
        Sent::Done(result) => result_response(result),
        Sent::Accepted(_) => error_response(ErrorBody::new(
            ErrorCode::Timeout,
            "no outcome in time; the command may still be applied",
        )),
    }
}
