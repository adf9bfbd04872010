//! The live side of the gateway: consume every event, route each to local streams, keep a
//! replay buffer for resume, and serve `GET /api/events`.

pub mod cursor;
pub mod hub;
pub mod router;
pub mod stream;

pub use hub::Hub;
