//! Password hashing off the async threads, behind a bounded queue.
//!
//! Each Argon2 hash takes 19 MiB and a core for tens of milliseconds. At most one core's
//! worth fewer than the machine has run at once (one on two cores), so a burst of logins
//! neither starves the HTTP threads nor balloons memory, and at most `queue` more wait;
//! past that a request is refused at once with `503 unavailable` and `Retry-After`, so
//! nobody waits behind a flood and nothing else (health checks, reads, writes) ever waits
//! on this queue. One client address holds at most `per_address` places
//! (`PARLEY_HASH_PER_ADDRESS`; more is `429 rate_limited`), so a single attacker cannot
//! fill the queue in front of others.

use crate::error::ApiError;
use crate::places::{PerAddress, Place};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

pub struct Hashing {
    /// One per hash that may run at once.
    running: Semaphore,
    /// One per job admitted, running or waiting.
    places: Semaphore,
    per_address: Arc<PerAddress>,
}

impl Hashing {
    /// A queue where `queue` jobs may wait beside the ones running, `per_address` of them
    /// (running or waiting) from one client address.
    pub fn new(queue: usize, per_address: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let running = cores.saturating_sub(1).max(1);
        Self {
            running: Semaphore::new(running),
            places: Semaphore::new(running + queue),
            per_address: PerAddress::new(per_address),
        }
    }

    /// A place in the queue for a job from `addr` (both given back on drop), or why not.
    fn admit(
        &self,
        addr: Option<IpAddr>,
    ) -> Result<(Option<Place>, SemaphorePermit<'_>), ApiError> {
        let retry = Duration::from_secs(1);
        let of_addr = match addr {
            Some(a) => Some(
                self.per_address
                    .take(a)
                    .ok_or_else(|| ApiError::rate_limited(retry))?,
            ),
            None => None,
        };
        let place = self
            .places
            .try_acquire()
            .map_err(|_| ApiError::busy(retry))?;
        Ok((of_addr, place))
    }

    /// Runs `f` (a hash or a verification) for a client at `addr` on a blocking thread when
    /// a core is free, or refuses at once when the queue, or the address's share, is full.
    pub async fn run<T, F>(&self, addr: Option<IpAddr>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let _place = self.admit(addr)?;
        let _permit = self
            .running
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

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_frees_its_places() {
        let running = std::thread::available_parallelism().map_or(1, usize::from);
        let running = running.saturating_sub(1).max(1);
        let hashing = Arc::new(Hashing::new(3 - running.min(3), 100));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let mut jobs = Vec::new();
        for _ in 0..3 {
            let (h, rx) = (Arc::clone(&hashing), Arc::clone(&rx));
            jobs.push(tokio::spawn(async move {
                h.run(None, move || {
                    rx.lock().map(|r| r.recv().is_ok()).unwrap_or(false)
                })
                .await
            }));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let refused = hashing.run(None, || ()).await;
        assert!(matches!(refused, Err(ApiError::Busy { .. })));
        for _ in 0..3 {
            let _ = tx.send(());
        }
        for job in jobs {
            assert!(matches!(job.await, Ok(Ok(true))));
        }
        assert!(hashing.run(None, || ()).await.is_ok());
    }

    #[test]
    fn one_address_holds_at_most_its_share() {
        let hashing = Hashing::new(100, 2);
        let addr: IpAddr = [192, 0, 2, 1].into();
        let places: Vec<_> = (0..2).map(|_| hashing.admit(Some(addr))).collect();
        assert!(places.iter().all(Result::is_ok));
        let refused = hashing.admit(Some(addr));
        assert!(matches!(refused, Err(ApiError::RateLimited { .. })));
        assert!(hashing.admit(Some([192, 0, 2, 2].into())).is_ok());
        drop(places);
        assert!(hashing.admit(Some(addr)).is_ok());
    }
}
