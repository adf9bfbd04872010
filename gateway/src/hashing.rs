//! Password hashing off the async threads, two at a time, behind a bounded queue.
//!
//! Each Argon2 hash takes 19 MiB and a core for tens of milliseconds. At most `RUNNING`
//! run at once, so a burst of logins neither starves the HTTP threads nor balloons memory,
//! and at most `queue` more wait; past that a request is refused at once with
//! `503 unavailable` and `Retry-After`, so nobody waits behind a flood and nothing else
//! (health checks, reads, writes) ever waits on this queue.

use crate::error::ApiError;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// Hashes that run at once.
const RUNNING: usize = 2;

pub struct Hashing {
    permits: Semaphore,
    /// Jobs admitted: running plus waiting.
    admitted: AtomicUsize,
    capacity: usize,
}

/// Gives an admitted job's place back when it ends, however it ends.
struct Place<'a>(&'a AtomicUsize);

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hashing {
    /// A queue where `queue` jobs may wait beside the ones running.
    pub fn new(queue: usize) -> Self {
        Self {
            permits: Semaphore::new(RUNNING),
            admitted: AtomicUsize::new(0),
            capacity: RUNNING + queue,
        }
    }

    /// Runs `f` (a hash or a verification) on a blocking thread when a core is free, or
    /// refuses at once when the queue is full.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let admitted = self
            .admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            });
        if admitted.is_err() {
            return Err(ApiError::busy(std::time::Duration::from_secs(1)));
        }
        let _place = Place(&self.admitted);
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(format!("hashing permits closed: {e}")))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_frees_its_places() {
        let hashing = Arc::new(Hashing::new(1));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let mut jobs = Vec::new();
        for _ in 0..3 {
            let (h, rx) = (Arc::clone(&hashing), Arc::clone(&rx));
            jobs.push(tokio::spawn(async move {
                h.run(move || rx.lock().map(|r| r.recv().is_ok()).unwrap_or(false))
                    .await
            }));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let refused = hashing.run(|| ()).await;
        assert!(matches!(refused, Err(ApiError::Busy { .. })));
        for _ in 0..3 {
            let _ = tx.send(());
        }
        for job in jobs {
            assert!(matches!(job.await, Ok(Ok(true))));
        }
        assert!(hashing.run(|| ()).await.is_ok());
    }
}
