//! The route table: every endpoint of API.md, in one place.
//!
//! The table is written once, below: `configure` registers it with actix, and `ROUTES`
//! lists its `(method, path)` pairs so that a test can check that every route is in the
//! OpenAPI document (`crate::openapi`). A new route therefore needs its
//! `#[utoipa::path]` annotation and an entry in `ApiDoc` before the tests pass.

pub(crate) mod activity;
pub(crate) mod blocks;
mod common;
pub(crate) mod devices;
pub(crate) mod edits;
pub(crate) mod fallback;
pub(crate) mod friends;
pub(crate) mod health;
pub(crate) mod invitations;
pub(crate) mod members;
pub(crate) mod messages;
pub(crate) mod metrics;
pub(crate) mod reactions;
pub(crate) mod reads;
pub(crate) mod receipts;
pub(crate) mod rooms;
pub(crate) mod saved;
pub(crate) mod search;
pub(crate) mod sessions;
pub(crate) mod signals;
pub(crate) mod sync;
pub(crate) mod users;

use crate::events::stream;
use crate::openapi;
use actix_web::web;

/// Expands the one route table into `ROUTES` and `configure`.
macro_rules! route_table {
    (
        root { $($rm:ident $rp:literal => $rh:path,)* }
        api { $($am:ident $ap:literal => $ah:path,)* }
    ) => {
        /// Every `(method, path)` that `configure` registers, with the `/api` scope's
        /// prefix; methods in lower case, as OpenAPI writes them.
        pub const ROUTES: &[(&str, &str)] = &[
            $((stringify!($rm), $rp),)*
            $((stringify!($am), concat!("/api", $ap)),)*
        ];

        pub fn configure(cfg: &mut web::ServiceConfig) {
            // Root paths: any other method on them is answered by the fallback (405).
            cfg $(.route($rp, web::$rm().to($rh)).route($rp, web::route().to(fallback::not_routed)))*
                .service(
                    web::scope("/api")
                        .wrap(actix_web::middleware::from_fn(crate::csrf::guard))
                        $(.route($ap, web::$am().to($ah)))*
                        .default_service(web::to(fallback::not_routed)),
                );
        }
    };
}

route_table! {
    root {
        get "/healthz" => health::healthz,
        get "/readyz" => health::readyz,
        get "/metrics" => metrics::metrics,
    }
    api {
        post "/users" => users::register,
        get "/users/{username}" => users::profile,
        get "/me" => users::me,
        patch "/me" => users::update_me,
        delete "/me" => users::delete_me,
        put "/me/password" => devices::change_password,
        get "/me/activity" => activity::activity,
        get "/me/settings" => receipts::get,
        put "/me/settings" => receipts::update,
        put "/me/presence" => signals::presence,
        post "/sessions" => sessions::login,
        delete "/sessions/current" => sessions::logout,
        get "/sessions" => devices::list,
        delete "/sessions" => devices::revoke_others,
        delete "/sessions/{session_id}" => devices::revoke,
        get "/friends" => friends::list,
        post "/friends" => friends::add,
        delete "/friends/{username}" => friends::remove,
        get "/blocks" => blocks::list,
        put "/blocks/{username}" => blocks::block,
        delete "/blocks/{username}" => blocks::unblock,
        get "/invitations" => invitations::list,
        post "/invitations/{invitation_id}/accept" => invitations::accept,
        post "/invitations/{invitation_id}/decline" => invitations::decline,
        get "/rooms" => rooms::list,
        post "/rooms" => rooms::create,
        get "/rooms/{room_id}" => rooms::detail,
        delete "/rooms/{room_id}" => members::delete_room,
        post "/rooms/{room_id}/members" => members::add,
        delete "/rooms/{room_id}/members/{username}" => members::remove,
        get "/rooms/{room_id}/messages" => messages::history,
        post "/rooms/{room_id}/messages" => messages::send,
        patch "/rooms/{room_id}/messages/{message_id}" => edits::edit,
        delete "/rooms/{room_id}/messages/{message_id}" => edits::delete,
        put "/rooms/{room_id}/messages/{message_id}/reactions/{emoji}" => reactions::add,
        delete "/rooms/{room_id}/messages/{message_id}/reactions/{emoji}" => reactions::remove,
        get "/rooms/{room_id}/messages/{message_id}/seen" => receipts::seen,
        put "/rooms/{room_id}/read" => reads::mark_read,
        put "/rooms/{room_id}/settings" => reads::room_settings,
        post "/rooms/{room_id}/typing" => signals::typing,
        get "/search" => search::search,
        get "/saved" => saved::list,
        put "/saved/{message_id}" => saved::save,
        delete "/saved/{message_id}" => saved::unsave,
        get "/sync" => sync::sync,
        get "/events" => stream::events,
        get "/openapi.json" => openapi::serve,
    }
}
