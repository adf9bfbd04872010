//! Places held per client address, up to a cap, each given back when its [`Place`] is
//! dropped: open event streams per address, and password hashes per address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

pub struct PerAddress {
    held: Mutex<HashMap<IpAddr, usize>>,
    cap: usize,
}

/// One held place; given back on drop.
pub struct Place {
    owner: Arc<PerAddress>,
    addr: IpAddr,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut held = self.owner.lock();
        if let Some(n) = held.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.addr);
            }
        }
    }
}

impl PerAddress {
    /// At most `cap` places per address (at least one).
    pub fn new(cap: usize) -> Arc<Self> {
        Arc::new(Self {
            held: Mutex::default(),
            cap: cap.max(1),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place for `addr`, or `None` when it holds `cap` already.
    pub fn take(self: &Arc<Self>, addr: IpAddr) -> Option<Place> {
        let mut held = self.lock();
        let n = held.entry(addr).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(Place {
            owner: Arc::clone(self),
            addr,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_at_its_cap_gets_no_place_until_one_is_given_back() {
        let places = PerAddress::new(2);
        let addr: IpAddr = [192, 0, 2, 1].into();
        let first = places.take(addr);
        let _second = places.take(addr);
        assert!(places.take(addr).is_none());
        assert!(places.take([192, 0, 2, 2].into()).is_some());
        drop(first);
        assert!(places.take(addr).is_some());
    }
}
