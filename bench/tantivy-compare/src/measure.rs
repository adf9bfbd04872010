//! Clocks and sizes: this process's CPU seconds, percentiles as scripts/search-bench takes
//! them, and the bytes of a directory.

use std::path::Path;

/// User + system CPU seconds of this process, all threads (getrusage).
pub fn cpu_secs() -> f64 {
    rusage(libc::RUSAGE_SELF)
}

/// User + system CPU seconds of the calling thread.
pub fn thread_cpu_secs() -> f64 {
    rusage(libc::RUSAGE_THREAD)
}

fn rusage(who: libc::c_int) -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes into the struct it is given.
    unsafe { libc::getrusage(who, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// p50 and p99 of `samples` as the script takes them: s[n/2] and s[min(n-1, n*0.99)].
pub fn p50_p99(samples: &mut [f64]) -> (f64, f64) {
    samples.sort_by(|a, b| a.total_cmp(b));
    let n = samples.len();
    let p99 = samples[(n - 1).min((n as f64 * 0.99) as usize)];
    (samples[n / 2], p99)
}

pub fn round(v: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (v * k).round() / k
}

/// Bytes of the files in `dir` (not recursive: a Tantivy index is flat).
pub fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
