//! A stopping gateway ends its streams one by one over `PARLEY_DRAIN_SECS`, each with a
//! `reconnect` event, so that its clients come back to the other gateways spread over
//! the window instead of in one spike. New streams are refused (`503`) from the start.

use super::sse::json_event;
use super::Hub;
use parley_schema::event::ReconnectEvent;
use rand::seq::SliceRandom;
use rand::Rng;
use std::time::Duration;
use tokio::time::{sleep_until, Instant};

/// The most a `reconnect` event asks a client to wait, on top of when its stream ends.
const AFTER_MS_MAX: u64 = 500;

const REASON: &str = "this gateway is restarting; reconnect with your last event id";

/// Ends every open stream of `hub`, spread evenly over `window` in random order; returns
/// how many were ended.
pub async fn drain(hub: &Hub, window: Duration) -> usize {
    let mut slots = hub.start_draining();
    slots.shuffle(&mut rand::thread_rng());
    let (start, n) = (Instant::now(), slots.len());
    tracing::info!(
        streams = n,
        window_ms = window.as_millis() as u64,
        "draining streams"
    );
    let mut ended = 0;
    for (i, (user, slot)) in slots.into_iter().enumerate() {
        sleep_until(start + window.mul_f64(i as f64 / n as f64)).await;
        let event = ReconnectEvent {
            reason: REASON.into(),
            after_ms: rand::thread_rng().gen_range(0..=AFTER_MS_MAX),
        };
        if hub.close_with(user, slot, json_event("reconnect", &event).into()) {
            ended += 1;
        }
    }
    ended
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metrics;
    use parley_schema::{SessionId, UserId};
    use std::sync::Arc;

    /// Ten streams over 500 ms: each gets `reconnect` then ends, the first ones well
    /// before the last, and no new stream is taken meanwhile.
    #[tokio::test(start_paused = true)]
    async fn streams_end_spread_over_the_window_each_told_to_reconnect() {
        let hub = Hub::new(1, 10, 16, Arc::new(Metrics::default()));
        hub.start_at(&[0], Vec::new(), Default::default());
        hub.set_caught_up();
        let mut streams = Vec::new();
        for _ in 0..10 {
            let user = UserId::from(uuid::Uuid::new_v4());
            let session = SessionId::from(uuid::Uuid::new_v4());
            streams.push((
                user,
                hub.attach(user, session, None)
                    .unwrap_or_else(|e| panic!("open: {e:?}"))
                    .rx,
            ));
        }
        let started = Instant::now();
        let hub = Arc::new(hub);
        let draining = tokio::spawn({
            let hub = Arc::clone(&hub);
            async move { drain(&hub, Duration::from_millis(500)).await }
        });
        let watchers = streams.into_iter().map(|(_, mut rx)| {
            tokio::spawn(async move {
                let last = rx
                    .recv()
                    .await
                    .unwrap_or_else(|| panic!("a reconnect event"));
                let text = format!("{last:?}");
                assert!(
                    text.contains("reconnect") && text.contains("after_ms"),
                    "{text}"
                );
                assert!(rx.recv().await.is_none(), "then the stream ends");
                started.elapsed()
            })
        });
        let mut ended_at = Vec::new();
        for watcher in watchers.collect::<Vec<_>>() {
            ended_at.push(watcher.await.unwrap_or_else(|e| panic!("watcher: {e:?}")));
        }
        let user = UserId::from(uuid::Uuid::new_v4());
        let refused = hub.attach(user, SessionId::from(uuid::Uuid::new_v4()), None);
        assert!(matches!(refused, Err(super::super::hub::Refused::Closed)));
        assert_eq!(
            draining.await.unwrap_or_else(|e| panic!("drain: {e:?}")),
            10
        );
        ended_at.sort();
        assert!(ended_at[0] < Duration::from_millis(100), "{ended_at:?}");
        assert!(ended_at[9] >= Duration::from_millis(400), "{ended_at:?}");
        assert!(!hub.is_accepting());
    }
}
