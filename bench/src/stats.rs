//! Latency samples and their percentiles. Samples are whole microseconds; percentiles use
//! the nearest-rank method on the sorted samples (exact, no histogram buckets: a few
//! million samples sort in well under a second).

use std::time::Duration;

/// p50 .. max of a set of samples, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

/// Latency samples in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Samples(Vec<u64>);

impl Samples {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push_us(&mut self, us: u64) {
        self.0.push(us);
    }

    pub fn push(&mut self, d: Duration) {
        self.push_us(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = u64>) {
        self.0.extend(other);
    }

    /// The percentiles, or `None` when there are no samples.
    pub fn percentiles(&mut self) -> Option<Percentiles> {
        if self.0.is_empty() {
            return None;
        }
        self.0.sort_unstable();
        let s = &self.0;
        let ms = |us: u64| us as f64 / 1000.0;
        Some(Percentiles {
            count: s.len(),
            p50_ms: ms(nearest_rank(s, 50.0)),
            p90_ms: ms(nearest_rank(s, 90.0)),
            p99_ms: ms(nearest_rank(s, 99.0)),
            p999_ms: ms(nearest_rank(s, 99.9)),
            max_ms: ms(s[s.len() - 1]),
        })
    }
}

/// The smallest sample with at least `q` percent of the samples at or below it.
/// `sorted` must be sorted ascending and not empty.
fn nearest_rank(sorted: &[u64], q: f64) -> u64 {
    let n = sorted.len();
    // The epsilon keeps float error (0.999 * 2000 = 1998.0000000000002) from adding a rank.
    let rank = ((q / 100.0) * n as f64 - 1e-9).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(v: impl IntoIterator<Item = u64>) -> Samples {
        let mut s = Samples::new();
        s.extend(v);
        s
    }

    #[test]
    fn nearest_rank_on_one_to_hundred() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(nearest_rank(&v, 50.0), 50);
        assert_eq!(nearest_rank(&v, 90.0), 90);
        assert_eq!(nearest_rank(&v, 99.0), 99);
        assert_eq!(nearest_rank(&v, 99.9), 100);
        assert_eq!(nearest_rank(&v, 0.0), 1);
        assert_eq!(nearest_rank(&v, 100.0), 100);
    }

    #[test]
    fn percentiles_are_in_milliseconds_and_ignore_order() {
        let mut s = samples([3000, 1000, 2000, 10_000]);
        let p = s.percentiles();
        let Some(p) = p else {
            panic!("samples present")
        };
        assert_eq!(p.count, 4);
        assert_eq!(p.p50_ms, 2.0);
        assert_eq!(p.p99_ms, 10.0);
        assert_eq!(p.max_ms, 10.0);
    }

    #[test]
    fn one_sample_is_every_percentile() {
        let mut s = samples([1500]);
        let p = s.percentiles();
        assert_eq!(p.map(|p| (p.p50_ms, p.p999_ms)), Some((1.5, 1.5)));
    }

    #[test]
    fn no_samples_no_percentiles() {
        assert!(Samples::new().percentiles().is_none());
    }

    #[test]
    fn p999_needs_a_thousand_samples_to_differ_from_max() {
        let mut s = samples((1..=2000).map(|i| i * 1000));
        let Some(p) = s.percentiles() else {
            panic!("samples present")
        };
        assert_eq!(p.p999_ms, 1998.0);
        assert_eq!(p.max_ms, 2000.0);
    }

    #[test]
    fn durations_become_microseconds() {
        let mut s = Samples::new();
        s.push(Duration::from_micros(2500));
        assert_eq!(s.percentiles().map(|p| p.max_ms), Some(2.5));
    }
}
