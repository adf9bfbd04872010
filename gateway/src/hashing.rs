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
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Semaphore;

pub struct Hashing {
    permits: Semaphore,
    /// Jobs admitted (running plus waiting), in all and per address.
    admitted: Mutex<(usize, HashMap<IpAddr, usize>)>,
    capacity: usize,
    /// Places (running or waiting) one client address may hold.
    per_address: usize,
}

/// Gives an admitted job's place back when it ends, however it ends.
struct Place<'a> {
    hashing: &'a Hashing,
    addr: Option<IpAddr>,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        let mut admitted = self.hashing.lock();
        admitted.0 -= 1;
        if let Some(addr) = self.addr {
            if let Some(n) = admitted.1.get_mut(&addr) {
                *n -= 1;
                if *n == 0 {
                    admitted.1.remove(&addr);
                }
            }
        }
    }
}

impl Hashing {
    /// A queue where `queue` jobs may wait beside the ones running, `per_address` of them
    /// (running or waiting) from one client address.
    pub fn new(queue: usize, per_address: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let running = cores.saturating_sub(1).max(1);
        Self {
            permits: Semaphore::new(running),
            admitted: Mutex::default(),
            capacity: running + queue,
            per_address: per_address.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, HashMap<IpAddr, usize>)> {
        self.admitted.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place in the queue for a job from `addr`, or why not.
    fn admit(&self, addr: Option<IpAddr>) -> Result<Place<'_>, ApiError> {
        let mut admitted = self.lock();
        let of_addr = addr.map_or(0, |a| admitted.1.get(&a).copied().unwrap_or(0));
        if of_addr >= self.per_address {
            return Err(ApiError::rate_limited(Duration::from_secs(1)));
        }
        if admitted.0 >= self.capacity {
            return Err(ApiError::busy(Duration::from_secs(1)));
        }
        admitted.0 += 1;
        if let Some(a) = addr {
            *admitted.1.entry(a).or_insert(0) += 1;
        }
        Ok(Place {
            hashing: self,
            addr,
        })
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
