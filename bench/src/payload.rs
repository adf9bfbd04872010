//! The message body the benchmark sends: `<run tag>:<message index>:<send time>`, where the
//! send time is nanoseconds since the run's clock started (a monotonic `Instant` shared by
//! every task of this process), so any stream can compute the latency of what it receives
//! without clock skew. Bodies of other runs or other clients do not parse.

use std::time::{Duration, Instant};

/// The run's tag and the clock every send time is measured on.
#[derive(Debug, Clone)]
pub struct RunClock {
    pub tag: String,
    start: Instant,
}

impl RunClock {
    pub fn new(tag: String) -> Self {
        Self {
            tag,
            start: Instant::now(),
        }
    }

    /// Time since the clock started.
    pub fn now(&self) -> Duration {
        self.start.elapsed()
    }

    /// The instant `offset` after the clock started (for scheduling).
    pub fn at(&self, offset: Duration) -> Instant {
        self.start + offset
    }

    pub fn body(&self, index: u64, sent_at: Duration) -> String {
        encode(&self.tag, index, sent_at)
    }
}

pub fn encode(tag: &str, index: u64, sent_at: Duration) -> String {
    format!("{tag}:{index}:{}", sent_at.as_nanos())
}

/// The message index and send time in a body of run `tag`.
pub fn decode(body: &str, tag: &str) -> Option<(u64, Duration)> {
    let rest = body.strip_prefix(tag)?.strip_prefix(':')?;
    let (index, nanos) = rest.split_once(':')?;
    let nanos: u64 = nanos.parse().ok()?;
    Some((index.parse().ok()?, Duration::from_nanos(nanos)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let body = encode("pbx1", 42, Duration::from_nanos(1_234_567));
        assert_eq!(body, "pbx1:42:1234567");
        assert_eq!(
            decode(&body, "pbx1"),
            Some((42, Duration::from_nanos(1_234_567)))
        );
    }

    #[test]
    fn other_runs_and_plain_text_do_not_decode() {
        assert_eq!(decode("pbx1:42:100", "pbx"), None);
        assert_eq!(decode("pbx2:42:100", "pbx1"), None);
        assert_eq!(decode("hello", "pbx1"), None);
        assert_eq!(decode("pbx1:a:1", "pbx1"), None);
        assert_eq!(decode("pbx1:1:2:3", "pbx1"), None);
    }
}
