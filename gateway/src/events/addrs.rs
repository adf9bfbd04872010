//! Open streams per client address, capped: a new stream past the cap is refused with
//! `429 rate_limited` (it cannot evict a stranger's stream to make room). A [`Place`] is
//! held for as long as its stream is open.

use crate::error::ApiError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct AddrStreams {
    open: Mutex<HashMap<IpAddr, usize>>,
    cap: usize,
}

/// One open stream's place; given back on drop.
pub struct Place {
    streams: Arc<AddrStreams>,
    addr: IpAddr,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self.streams.lock();
        if let Some(n) = open.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.addr);
            }
        }
    }
}

impl AddrStreams {
    pub fn new(cap: usize) -> Arc<Self> {
        Arc::new(Self {
            open: Mutex::default(),
            cap: cap.max(1),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place for one more stream from `addr`, or `429` when it has `cap` open.
    pub fn take(self: &Arc<Self>, addr: IpAddr) -> Result<Place, ApiError> {
        let mut open = self.lock();
        let n = open.entry(addr).or_insert(0);
        if *n >= self.cap {
            return Err(ApiError::rate_limited(Duration::from_secs(5)));
        }
        *n += 1;
        Ok(Place {
            streams: Arc::clone(self),
            addr,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_at_its_cap_is_refused_until_a_stream_closes() {
        let streams = AddrStreams::new(2);
        let addr: IpAddr = [192, 0, 2, 1].into();
        let first = streams.take(addr);
        let _second = streams.take(addr);
        assert!(streams.take(addr).is_err());
        assert!(streams.take([192, 0, 2, 2].into()).is_ok());
        drop(first);
        assert!(streams.take(addr).is_ok());
    }
}
