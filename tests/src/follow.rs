//! A stream follower that behaves like the web client through a deploy: it reads one
//! stream, and when the gateway ends it (`reconnect`, or the connection goes) it comes
//! back after `after_ms` (or its `retry:`) to another gateway with its last event id.

use crate::client::Api;
use crate::sse::EventStream;
use std::time::{Duration, Instant};

/// What one followed stream saw.
#[derive(Debug, Default)]
pub struct Followed {
    /// The `seq` of every `message` event, in arrival order.
    pub seqs: Vec<i64>,
    /// When each reconnect was served (its `ready` arrived), from the follower's start.
    pub reconnected_at: Vec<Duration>,
    /// `resumed` of each reconnect's `ready`.
    pub resumed: Vec<bool>,
    /// `reconnect` events received.
    pub told: usize,
}

/// Follows `token`'s stream, first on `first`, then on `then`, until `want` messages came
/// or `within` passed; the clock for `reconnected_at` starts at `epoch`.
pub async fn follow(
    (first, then): (Api, Api),
    token: String,
    want: usize,
    within: Duration,
    epoch: Instant,
) -> Followed {
    let deadline = tokio::time::Instant::now() + within;
    let mut out = Followed::default();
    let mut stream = EventStream::open(&first, &token, None).await;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if out.seqs.len() >= want || left.is_zero() {
            return out;
        }
        let wait_ms = match stream.next(left).await {
            Some(ev) if ev.event == "message" => {
                out.seqs.extend(ev.json()["seq"].as_i64());
                continue;
            }
            Some(ev) if ev.event == "reconnect" => {
                out.told += 1;
                ev.json()["after_ms"].as_u64().unwrap_or(0)
            }
            Some(_) => continue,
            // Ended without a word: come back after the server's `retry:` (at most 4.5 s).
            None => 4_500,
        };
        tokio::time::sleep(Duration::from_millis(wait_ms)).await;
        let cursor = stream.last_id.clone();
        stream = reopen(&then, &token, cursor.as_deref(), &mut out, epoch).await;
    }
}

/// Opens the stream again until a gateway serves it (`ready`), noting when and whether it
/// resumed.
async fn reopen(
    api: &Api,
    token: &str,
    cursor: Option<&str>,
    out: &mut Followed,
    epoch: Instant,
) -> EventStream {
    loop {
        let mut stream = EventStream::open(api, token, cursor).await;
        if stream.status == 200 {
            if let Some(ready) = stream.next(Duration::from_secs(10)).await {
                out.reconnected_at.push(epoch.elapsed());
                out.resumed.push(ready.json()["resumed"] == true);
                // `open` keeps the cursor it was given until an event with an id comes.
                return stream;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Counts `times` per `bucket` since zero: `(bucket start, count)` for every bucket up to
/// the last one with any.
pub fn histogram(times: &[Duration], bucket: Duration) -> Vec<(Duration, usize)> {
    let index = |t: &Duration| (t.as_secs_f64() / bucket.as_secs_f64()) as usize;
    let last = times.iter().map(index).max().unwrap_or(0);
    let mut counts = vec![0; last + 1];
    for t in times {
        counts[index(t)] += 1;
    }
    let starts = (0..=last).map(|i| bucket * i as u32);
    starts.zip(counts).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_counts_each_time_in_its_bucket() {
        let ms = |v: u64| Duration::from_millis(v);
        let got = histogram(&[ms(10), ms(90), ms(260), ms(270)], ms(100));
        assert_eq!(got, [(ms(0), 2), (ms(100), 0), (ms(200), 2)]);
    }
}
