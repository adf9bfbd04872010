//! Test harness: the real gateway and worker, in this process, against the real local
//! Kafka and Postgres (`scripts/services up`). Each test binary gets one fresh database and
//! its own topic prefix; tests isolate themselves with unique user names.

pub mod batch;
pub mod check;
pub mod client;
pub mod edits_check;
pub mod env;
pub mod follow;
pub mod procs;
pub mod sse;

pub use client::{Api, Session};
pub use env::{second_gateway, spawn_env, spawn_env_with, test_env, TestEnv};
pub use parley_kit::{unique, Services};
pub use sse::{EventStream, SseEvent};
