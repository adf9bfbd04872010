//! Parley's Postgres layer, used by the worker (writes) and the gateway (reads).
//!
//! `schema` mirrors `migrations/`; `rows` are the table structs; each table's queries live
//! in a module of their own and take a `&mut PgConnection`, so the caller decides the
//! transaction. Diesel is synchronous: async callers go through `spawn_blocking`.

#![warn(clippy::too_many_lines)]

pub mod error;
pub mod friends;
pub mod ledger;
pub mod members;
pub mod messages;
pub mod migrate;
pub mod pool;
pub mod rooms;
pub mod rows;
pub mod saved;
pub mod schema;
pub mod sessions;
pub mod users;
pub mod views;

pub use diesel::PgConnection;
pub use error::DbError;
pub use pool::{PgPool, PooledConn};
