//! Test harness: the real gateway and worker, in this process, against the real local
//! Kafka and Postgres (`scripts/services up`). Each test binary gets one fresh database and
//! its own topic prefix; tests isolate themselves with unique user names.

pub mod check;
pub mod client;
pub mod env;
pub mod procs;
pub mod sse;

pub use client::{Api, Session};
pub use env::{spawn_env, test_env, Services, TestEnv};
pub use sse::{EventStream, SseEvent};

/// A name nobody else in this run uses: `prefix` plus a random suffix.
pub fn unique(prefix: &str) -> String {
    use rand::Rng;
    let n: u32 = rand::thread_rng().gen_range(0..u32::MAX);
    format!("{prefix}{n:08x}")
}
