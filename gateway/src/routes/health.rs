//! Liveness and readiness.

use crate::openapi::{Health, Readiness};
use crate::state::AppState;
use actix_web::{web, HttpResponse};

#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    summary = "Liveness",
    description = "200 while the process runs. No authentication.",
    responses((status = 200, description = "The process runs.", body = Health))
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// 200 when Postgres and Kafka answer and the events consumer has caught up.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "operations",
    summary = "Readiness",
    description = "200 when Postgres and Kafka are reachable and the gateway's events \
                   consumer is assigned and has caught up, and the gateway is not stopping \
                   (draining its streams); else 503. Either way the body \
                   says which part answered. Postgres and Kafka are checked in the \
                   background every second, so the answer is immediate and at most a \
                   second old. No authentication.",
    responses(
        (status = 200, description = "Ready.", body = Readiness),
        (status = 503, description = "Not ready; the body says what is missing.",
            body = Readiness),
    )
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (db, kafka) = state.dependencies.get();
    let events_caught_up = state.hub.is_caught_up();
    let accepting_streams = state.hub.is_accepting();
    let mut response = match db && kafka && events_caught_up && accepting_streams {
        true => HttpResponse::Ok(),
        false => HttpResponse::ServiceUnavailable(),
    };
    response.json(Readiness {
        postgres: db,
        kafka,
        events_caught_up,
        accepting_streams,
    })
}
