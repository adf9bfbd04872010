//! The route table: every endpoint of API.md, in one place.

mod health;
mod messages;
mod rooms;
mod sessions;
mod users;

use crate::events::stream;
use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .service(
            web::scope("/api")
                .route("/users", web::post().to(users::register))
                .route("/users/{username}", web::get().to(users::profile))
                .route("/me", web::get().to(users::me))
                .route("/sessions", web::post().to(sessions::login))
                .route("/sessions/current", web::delete().to(sessions::logout))
                .route("/rooms", web::get().to(rooms::list))
                .route("/rooms", web::post().to(rooms::create))
                .route("/rooms/{room_id}", web::get().to(rooms::detail))
                .route(
                    "/rooms/{room_id}/messages",
                    web::get().to(messages::history),
                )
                .route("/rooms/{room_id}/messages", web::post().to(messages::send))
                .route("/events", web::get().to(stream::events))
                .default_service(web::to(health::api_not_found)),
        );
}
