//! Requests waiting for their `result` event (`Prefer: wait`, register, login, logout).
//!
//! A waiter is registered before its command is published, so a fast outcome is never
//! missed; dropping the `Waiter` (timeout, client gone) removes the entry. Only
//! [`crate::dispatch::submit`] registers waiters, and only the events router completes them.

use dashmap::DashMap;
use parley_schema::event::ResultEvent;
use parley_schema::RequestId;
use std::sync::Arc;
use tokio::sync::oneshot;

#[derive(Default)]
pub struct Waiters {
    map: DashMap<RequestId, oneshot::Sender<ResultEvent>>,
}

pub struct Waiter {
    id: RequestId,
    rx: oneshot::Receiver<ResultEvent>,
    owner: Arc<Waiters>,
}

impl Waiters {
    pub fn register(self: &Arc<Self>, id: RequestId) -> Waiter {
        let (tx, rx) = oneshot::channel();
        self.map.insert(id, tx);
        Waiter {
            id,
            rx,
            owner: Arc::clone(self),
        }
    }

    /// Hands a result to its waiter, if one waits on this gateway.
    pub fn complete(&self, result: ResultEvent) {
        if let Some((_, tx)) = self.map.remove(&result.request_id) {
            let _ = tx.send(result);
        }
    }
}

impl Waiter {
    /// Waits up to `timeout` for the result.
    pub async fn wait(mut self, timeout: std::time::Duration) -> Option<ResultEvent> {
        tokio::time::timeout(timeout, &mut self.rx).await.ok()?.ok()
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        self.owner.map.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn is_empty(waiters: &Waiters) -> bool {
        waiters.map.is_empty()
    }

    #[tokio::test]
    async fn a_result_reaches_its_waiter_and_the_entry_goes() {
        let waiters = Arc::new(Waiters::default());
        let id = RequestId::new();
        let w = waiters.register(id);
        waiters.complete(ResultEvent {
            request_id: id,
            status: 204,
            body: serde_json::Value::Null,
        });
        let got = w.wait(Duration::from_secs(1)).await.map(|r| r.status);
        assert_eq!(got, Some(204));
        assert!(is_empty(&waiters));
    }

    #[tokio::test]
    async fn a_timed_out_waiter_is_removed() {
        let waiters = Arc::new(Waiters::default());
        let w = waiters.register(RequestId::new());
        assert!(w.wait(Duration::from_millis(10)).await.is_none());
        assert!(is_empty(&waiters));
    }
}
