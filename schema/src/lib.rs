//! Parley's wire contract, shared by the gateway, the worker and the tests.
//!
//! Everything here is plain data: ids, the JSON shapes of API.md, the Kafka command and
//! event envelopes, the stable error codes, what a command comes to and the HTTP status
//! that goes with it, and the input validation rules. No I/O.

#![warn(clippy::too_many_lines)]

pub mod activity;
pub mod command;
pub mod error;
pub mod event;
pub mod ids;
pub mod markup;
pub mod model;
pub mod moderation;
pub mod outcome;
pub mod requests;
pub mod search;
pub mod social;
pub mod stream;
pub mod text;
pub mod validate;

pub use error::{ErrorBody, ErrorCode};
pub use ids::{InvitationId, MessageId, RequestId, RoomId, SessionId, UserId};
pub use outcome::{Outcome, Resource};
