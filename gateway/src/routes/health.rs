//! Liveness and readiness.

use crate::blocking;
use crate::openapi::{Health, Readiness};
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use rdkafka::producer::Producer;
use std::time::Duration;

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
                   consumer is assigned and has caught up; else 503. Either way the body \
                   says which part answered. No authentication.",
    responses(
        (status = 200, description = "Ready.", body = Readiness),
        (status = 503, description = "Not ready; the body says what is missing.",
            body = Readiness),
    )
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = blocking::with_conn(&state.db, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await
    .is_ok();
    let kafka = {
        let st = state.clone();
        // Its own blocking thread: never queued behind password hashing.
        tokio::task::spawn_blocking(move || {
            st.publisher
                .client()
                .client()
                .fetch_metadata(None, Duration::from_secs(2))
                .is_ok()
        })
        .await
        .unwrap_or(false)
    };
    let events_caught_up = state.hub.is_caught_up();
    let mut response = match db && kafka && events_caught_up {
        true => HttpResponse::Ok(),
        false => HttpResponse::ServiceUnavailable(),
    };
    response.json(Readiness {
        postgres: db,
        kafka,
        events_caught_up,
    })
}
