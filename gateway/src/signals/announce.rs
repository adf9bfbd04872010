//! Telling the other gateways (and this one, through the topic) about this gateway's
//! users: what changed, every quarter second; everyone, every heartbeat and when another
//! gateway says hello; and goodbye at shutdown.

use super::Signal;
use crate::presence::table::Entry;
use crate::state::AppState;
use parley_schema::social::Presence;
use parley_schema::UserId;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often changes are gathered: a stream that reconnects within it never looks offline.
const GATHER: Duration = Duration::from_millis(250);

pub async fn run(state: Arc<AppState>, shutdown: CancellationToken) {
    let signals = &state.signals;
    let gateway = state.gateway_id.clone();
    let mut told: HashMap<UserId, Presence> = HashMap::new();
    signals
        .send(&Signal::Hello {
            gateway: gateway.clone(),
        })
        .await;
    let mut gather = tokio::time::interval(GATHER);
    let mut heartbeat = tokio::time::interval(signals.heartbeat);
    loop {
        let full = tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = gather.tick() => false,
            _ = heartbeat.tick() => true,
            _ = signals.hello.notified() => true,
        };
        let users: Vec<Entry> = if full {
            let all = state.hub.local_all();
            told = all.iter().map(|e| (e.id, e.state)).collect();
            all
        } else {
            let mut changed = state.hub.local_changes();
            changed.retain(|e| told.get(&e.id).copied().unwrap_or_default() != e.state);
            for e in &changed {
                match e.state {
                    Presence::Offline => told.remove(&e.id),
                    state => told.insert(e.id, state),
                };
            }
            changed
        };
        if full || !users.is_empty() {
            let gateway = gateway.clone();
            signals
                .send(&Signal::Presence {
                    gateway,
                    users,
                    full,
                })
                .await;
        }
    }
    signals.send(&Signal::Bye { gateway }).await;
}
