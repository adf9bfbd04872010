//! When a batch waits for more commands: only while the worker is busy.
//!
//! A batch costs about the same round trips to Postgres whatever its size, so larger
//! batches cost less per command; but waiting to fill one delays every command in it.
//! The worker therefore waits only when its last batch was large (commands arrive
//! faster than it applies them one small batch at a time): then a batch stays open for
//! up to `window` after its first command. At low rates batches are small and leave at
//! once, so a quiet room's message never waits here.

use std::time::{Duration, Instant};

/// A batch at least this large marks the worker busy, and the next batch lingers.
pub const BUSY_BATCH: usize = 24;

#[derive(Debug, Clone)]
pub struct Linger {
    window: Duration,
    busy: bool,
}

impl Linger {
    /// `window` zero: batches never wait.
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            busy: false,
        }
    }

    /// How much longer the batch whose first command came at `first` may wait for more.
    pub fn remaining(&self, first: Instant, now: Instant) -> Duration {
        if !self.busy {
            return Duration::ZERO;
        }
        (first + self.window).saturating_duration_since(now)
    }

    /// Notes the size of the batch just taken.
    pub fn taken(&mut self, commands: usize) {
        self.busy = commands >= BUSY_BATCH;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_millis(10);

    #[test]
    fn a_quiet_worker_never_waits() {
        let linger = Linger::new(WINDOW);
        let now = Instant::now();
        assert_eq!(linger.remaining(now, now), Duration::ZERO);
    }

    #[test]
    fn a_busy_worker_waits_out_the_window_from_the_first_command() {
        let mut linger = Linger::new(WINDOW);
        linger.taken(BUSY_BATCH);
        let first = Instant::now();
        assert_eq!(linger.remaining(first, first), WINDOW);
        let later = first + Duration::from_millis(4);
        assert_eq!(linger.remaining(first, later), Duration::from_millis(6));
        assert_eq!(linger.remaining(first, first + WINDOW * 2), Duration::ZERO);
    }

    #[test]
    fn a_small_batch_ends_the_busy_spell() {
        let mut linger = Linger::new(WINDOW);
        linger.taken(BUSY_BATCH + 100);
        linger.taken(BUSY_BATCH - 1);
        let now = Instant::now();
        assert_eq!(linger.remaining(now, now), Duration::ZERO);
    }

    #[test]
    fn a_zero_window_never_waits_even_when_busy() {
        let mut linger = Linger::new(Duration::ZERO);
        linger.taken(BUSY_BATCH * 10);
        let now = Instant::now();
        assert_eq!(linger.remaining(now, now), Duration::ZERO);
    }
}
