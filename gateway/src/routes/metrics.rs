//! `/metrics`, kept from strangers: on a listener of its own (`PARLEY_METRICS_LISTEN`), or
//! on the main one for loopback callers and holders of `PARLEY_METRICS_TOKEN`.

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use parley_schema::ErrorCode;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use std::net::TcpListener;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "operations",
    summary = "Prometheus metrics",
    description = "The gateway's metrics in the Prometheus text format (0.0.4). Answered only \
                   to loopback callers (not through a proxy) or with `Authorization: Bearer \
                   <PARLEY_METRICS_TOKEN>`; when `PARLEY_METRICS_LISTEN` is set they are \
                   served there instead and this path answers 404.",
    responses(
        (status = 200, description = "Metrics.",
            content_type = "text/plain; version=0.0.4", body = String),
        (status = 403, description = "`forbidden`: not a loopback caller and no valid token.",
            body = parley_schema::error::ErrorResponse),
        (status = 404, description = "`not_found`: metrics are served on their own listener.",
            body = parley_schema::error::ErrorResponse),
    )
)]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let config = &state.config;
    if config.metrics_listen.is_some() {
        return Err(ApiError::not_found("endpoint"));
    }
    let direct_loopback = req.peer_addr().is_some_and(|p| p.ip().is_loopback())
        && !req.headers().contains_key("x-forwarded-for");
    let proxied_loopback = config
        .trusted_proxies
        .client_ip(&req)
        .is_some_and(|ip| ip.is_loopback())
        && req
            .peer_addr()
            .is_some_and(|p| config.trusted_proxies.trusts(p.ip()));
    let token_ok = config.metrics_token.as_ref().is_some_and(|token| {
        let given = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Compare digests, so the time taken says nothing about the token.
        Sha256::digest(given.as_bytes()) == Sha256::digest(token.expose_secret().as_bytes())
    });
    if !(direct_loopback || proxied_loopback || token_ok) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "metrics are served to loopback callers or with the metrics token",
        ));
    }
    Ok(render(&state.metrics))
}

fn render(metrics: &Metrics) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(parley_telemetry::CONTENT_TYPE)
        .body(metrics.render())
}

/// Serves `GET /metrics` alone on `listener` until `shutdown` fires.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    parley_telemetry::serve::metrics(listener, metrics, Metrics::render, "gateway", shutdown).await
}
