//! The benchmark modes, and what they share: the common options, building the API
//! clients, opening every member's stream, and waiting for deliveries.

pub mod connections;
pub mod fanout;
pub mod flood;
pub mod latency;
pub mod send;
pub mod throughput;
pub mod typing;

use crate::api::{self, Api, Session};
use crate::listener::{self, Shared, StreamLog};
use anyhow::{bail, Context};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// R rooms of M members, each member a user with one open stream (`latency`, `typing`).
#[derive(Debug, Clone, clap::Args)]
pub struct RoomShape {
    /// Rooms.
    #[arg(long, default_value_t = 100)]
    pub rooms: usize,

    /// Members per room, each a user with one open stream.
    #[arg(long, default_value_t = 10)]
    pub members: usize,
}

/// Options every mode takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Gateway base URL, e.g. http://127.0.0.1:8080. Several, comma-separated, spread the
    /// users over the gateways round-robin (each user sends and listens on its own).
    #[arg(long, value_delimiter = ',', required = true)]
    pub url: Vec<String>,

    /// Print one JSON object on stdout instead of the table (progress still goes to stderr).
    #[arg(long)]
    pub json: bool,

    /// Registrations and logins in flight during setup; each costs the gateway an Argon2id
    /// hash, so more than a few per core only queues.
    #[arg(long, default_value_t = 16)]
    pub setup_concurrency: usize,
}

impl Common {
    /// One client per gateway URL, all sharing one connection pool.
    pub fn apis(&self) -> anyhow::Result<Vec<Api>> {
        let http = api::http_client(None)?;
        let apis: Vec<Api> = self
            .url
            .iter()
            .filter(|u| !u.trim().is_empty())
            .map(|u| Api::new(http.clone(), u.trim()))
            .collect();
        if apis.is_empty() {
            bail!("--url names no gateway");
        }
        for a in &apis {
            if !a.base().starts_with("http://") {
                bail!("--url {}: only http:// URLs are supported", a.base());
            }
        }
        Ok(apis)
    }
}

/// Opens one stream per session and waits until each has said `ready`; fails if any did
/// not open.
pub async fn open_streams(
    sessions: &[Session],
    shared: &Arc<Shared>,
) -> anyhow::Result<Vec<JoinHandle<StreamLog>>> {
    let mut handles = Vec::with_capacity(sessions.len());
    let mut receivers = Vec::with_capacity(sessions.len());
    for s in sessions {
        let (tx, rx) = tokio::sync::oneshot::channel();
        handles.push(listener::spawn(s.clone(), Arc::clone(shared), tx));
        receivers.push(rx);
    }
    let (_, errors) = listener::await_opened(receivers).await;
    if let Some(first) = errors.into_iter().next() {
        shared.stop.cancel();
        return Err(first).context("opening the members' event streams");
    }
    Ok(handles)
}

/// Waits until `expected` deliveries were recorded, or `grace` has passed. True when all
/// arrived.
pub async fn await_deliveries(shared: &Shared, expected: u64, grace: Duration) -> bool {
    let deadline = Instant::now() + grace;
    loop {
        if shared.delivered() >= expected {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Progress on stderr (stdout is for the report).
pub fn progress(msg: impl std::fmt::Display) {
    eprintln!("parley-bench: {msg}");
}

/// Seconds with millisecond precision, for reports.
pub fn secs(d: Duration) -> f64 {
    crate::report::round3(d.as_secs_f64())
}
