//! Parley's gateway: validates HTTP writes and publishes them to Kafka as commands, serves
//! reads from Postgres, and streams every user's events over SSE.

#![warn(clippy::too_many_lines)]

pub mod app;
pub mod auth;
pub mod authcache;
pub mod blocking;
pub mod config;
pub mod csrf;
pub mod dispatch;
pub mod error;
pub mod events;
pub mod hashing;
pub mod json;
pub mod layers;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod password;
pub mod peer;
pub mod places;
pub mod prefer;
pub mod presence;
pub mod publisher;
pub mod ratelimit;
pub mod readiness;
pub mod routes;
pub mod signals;
pub mod state;
pub mod tls;
pub mod waiters;

pub use app::Application;
pub use config::GatewayConfig;
