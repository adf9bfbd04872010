//! The route table: every endpoint of API.md, in one place.

mod friends;
mod health;
mod members;
mod messages;
mod reads;
mod rooms;
mod saved;
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
                .route("/me", web::patch().to(users::update_me))
                .route("/me", web::delete().to(users::delete_me))
                .route("/sessions", web::post().to(sessions::login))
                .route("/sessions/current", web::delete().to(sessions::logout))
                .route("/friends", web::get().to(friends::list))
                .route("/friends", web::post().to(friends::add))
                .route("/friends/{username}", web::delete().to(friends::remove))
                .route("/rooms", web::get().to(rooms::list))
                .route("/rooms", web::post().to(rooms::create))
                .route("/rooms/{room_id}", web::get().to(rooms::detail))
                .route("/rooms/{room_id}", web::delete().to(members::delete_room))
                .route("/rooms/{room_id}/members", web::post().to(members::add))
                .route(
                    "/rooms/{room_id}/members/{username}",
                    web::delete().to(members::remove),
                )
                .route(
                    "/rooms/{room_id}/messages",
                    web::get().to(messages::history),
                )
                .route("/rooms/{room_id}/messages", web::post().to(messages::send))
                .route("/rooms/{room_id}/read", web::put().to(reads::mark_read))
                .route("/saved", web::get().to(saved::list))
                .route("/saved/{message_id}", web::put().to(saved::save))
                .route("/saved/{message_id}", web::delete().to(saved::unsave))
                .route("/events", web::get().to(stream::events))
                .default_service(web::to(health::api_not_found)),
        );
}
