//! Ephemeral signals between gateways: typing and presence on `<prefix>.ephemeral`.
//!
//! Gateways produce them (not transactionally, fire and forget, no linger) and every
//! gateway reads them from the end, never replaying: a lost signal is repeated within
//! seconds (typing every 3 s while typing, presence every heartbeat). Nothing here
//! touches Postgres. `listen` feeds the hub, `announce` tells the others about this
//! gateway's users, `typing` rate-limits typists.

pub mod announce;
pub mod listen;
pub mod publish;
pub mod typing;
pub mod wire;

pub use publish::Signals;
pub use wire::Signal;
