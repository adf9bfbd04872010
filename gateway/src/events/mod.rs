//! The live side of the gateway: consume every event, route each to local streams, keep a
//! replay buffer for resume, and serve `GET /api/events`.
//!
//! `router` reads the events topic and feeds `hub`, which holds the `registry` of open
//! streams and the `replay` buffer behind one lock; `stream` serves the SSE requests,
//! `sse` shapes their responses, and `drain` ends them spread out when the gateway stops.

pub mod cursor;
pub mod drain;
pub mod hub;
pub mod registry;
pub mod replay;
pub mod rooms;
pub mod router;
pub mod social;
pub mod sse;
pub mod stream;

pub use hub::Hub;
