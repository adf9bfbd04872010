//! Presence: who is online, across every gateway, without Postgres.
//!
//! `local` is what this gateway knows first-hand (its open streams, and the sessions whose
//! client said `away`); `table` is what every gateway announced on the ephemeral topic,
//! this one included, and forgets a gateway that stops announcing.

pub mod local;
pub mod table;

pub use table::Table;
