//! One way to start the Parley stack, for tests and developers: a fresh database and topic
//! prefix ([`Fresh`]), `worker` and `gateway` processes from `target/debug` ([`Proc`],
//! [`Stack`]), the wait for `/readyz` ([`wait_ready`]), and SIGTERM then SIGKILL to stop.
//!
//! Its callers: `parley-stack` (this crate's binary, which `scripts/run`,
//! `scripts/bench-smoke` and the browser tests drive), the crash suite
//! (`tests/src/procs.rs`) and the in-process integration tests (`tests/src/env.rs`, which
//! take the fresh database, topic prefix and readiness wait from here).

#![warn(clippy::too_many_lines)]

pub mod error;
pub mod fresh;
pub mod names;
pub mod paths;
pub mod process;
pub mod ready;
pub mod services;
pub mod stack;
mod topics;

pub use error::KitError;
pub use fresh::{Fresh, FreshDatabase};
pub use names::{unique, RunName};
pub use process::{Proc, ProcSpec};
pub use ready::wait_ready;
pub use services::Services;
pub use stack::{free_port, Stack, StackPlan};
