//! Typists: who said they type where, and when. A user may signal once per
//! [`MIN_INTERVAL`] per room (more is silently dropped); a send stops the typing signalled
//! within [`TYPING_FOR`].

use parley_schema::{RoomId, UserId};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one signal marks someone as typing.
pub const TYPING_FOR: Duration = Duration::from_secs(5);
/// At most one signal per user and room this often (clients send every 3 s).
pub const MIN_INTERVAL: Duration = Duration::from_secs(2);
/// Entries kept before the old ones are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct Typists {
    last: Mutex<HashMap<(UserId, RoomId), Instant>>,
}

impl Typists {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(UserId, RoomId), Instant>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `user` may signal typing in `room` now (and notes it if so).
    pub fn admit(&self, user: UserId, room: RoomId, now: Instant) -> bool {
        let mut last = self.lock();
        if last.len() >= SWEEP_AT {
            last.retain(|_, at| now.saturating_duration_since(*at) < TYPING_FOR);
        }
        match last.get(&(user, room)) {
            Some(at) if now.saturating_duration_since(*at) < MIN_INTERVAL => false,
            _ => {
                last.insert((user, room), now);
                true
            }
        }
    }

    /// `user` sent a message in `room`: whether they were still typing there (then the
    /// others should hear that they stopped).
    pub fn stop(&self, user: UserId, room: RoomId, now: Instant) -> bool {
        let at = self.lock().remove(&(user, room));
        at.is_some_and(|at| now.saturating_duration_since(at) < TYPING_FOR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_signal_per_interval_and_a_send_stops_it() {
        let typists = Typists::default();
        let (user, room) = (UserId::new(), RoomId::new());
        let t0 = Instant::now();
        assert!(typists.admit(user, room, t0));
        assert!(!typists.admit(user, room, t0 + Duration::from_millis(1500)));
        assert!(typists.admit(user, RoomId::new(), t0), "another room");
        assert!(typists.admit(user, room, t0 + Duration::from_millis(2100)));
        assert!(typists.stop(user, room, t0 + Duration::from_secs(3)));
        assert!(
            !typists.stop(user, room, t0 + Duration::from_secs(3)),
            "once"
        );
        assert!(typists.admit(user, room, t0 + Duration::from_secs(4)));
        assert!(
            !typists.stop(user, room, t0 + Duration::from_secs(10)),
            "expired"
        );
    }
}
