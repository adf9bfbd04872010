//! Whether Postgres and Kafka answer, checked in the background every [`EVERY`], so that
//! `/readyz` answers at once from the last check: a probe never waits on two round trips
//! to busy neighbours (measured under a sign-in flood: docs/benchmarks.md), and probes,
//! however many, never load them. The answer is at most one interval old.

use crate::blocking;
use crate::state::AppState;
use diesel::prelude::*;
use rdkafka::producer::Producer;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the dependencies are checked.
pub const EVERY: Duration = Duration::from_secs(1);

/// The last check's findings (both false until the first check ends).
#[derive(Default)]
pub struct Dependencies {
    postgres: AtomicBool,
    kafka: AtomicBool,
}

impl Dependencies {
    /// `(postgres, kafka)` as last checked.
    pub fn get(&self) -> (bool, bool) {
        (
            self.postgres.load(Ordering::Acquire),
            self.kafka.load(Ordering::Acquire),
        )
    }
}

/// Checks both at once, every [`EVERY`], until `shutdown` fires.
pub async fn watch(state: Arc<AppState>, shutdown: CancellationToken) {
    loop {
        let (postgres, kafka) = tokio::join!(postgres_answers(&state), kafka_answers(&state));
        state
            .dependencies
            .postgres
            .store(postgres, Ordering::Release);
        state.dependencies.kafka.store(kafka, Ordering::Release);
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}

async fn postgres_answers(state: &AppState) -> bool {
    blocking::with_conn(&state.db, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await
    .is_ok()
}

async fn kafka_answers(state: &Arc<AppState>) -> bool {
    let st = Arc::clone(state);
    // The commands topic only: the whole cluster's metadata grows with its topics.
    let topic = st.config.kafka.topics().commands;
    tokio::task::spawn_blocking(move || {
        st.publisher
            .client()
            .client()
            .fetch_metadata(Some(&topic), Duration::from_secs(2))
            .is_ok()
    })
    .await
    .unwrap_or(false)
}
