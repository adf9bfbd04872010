//! The worker's metrics (batch sizes, commands, failures, consumer lag) in the Prometheus
//! text format, served on `PARLEY_WORKER_METRICS_LISTEN` by a tiny HTTP responder.

use parley_bus::age::AgeHistogram;
use parley_bus::histogram::Histogram;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Upper bounds of the batch-size histogram buckets.
const BUCKETS: [u64; 7] = [1, 5, 10, 50, 100, 250, 500];

pub struct WorkerMetrics {
    batch_size: Histogram,
    failures: AtomicU64,
    lag: Arc<AtomicI64>,
    /// From a gateway producing a command to this worker polling it.
    pub command_age: AgeHistogram,
}

impl Default for WorkerMetrics {
    fn default() -> Self {
        Self {
            batch_size: Histogram::new(&BUCKETS, 1.0),
            failures: AtomicU64::default(),
            lag: Arc::default(),
            command_age: AgeHistogram::default(),
        }
    }
}

impl WorkerMetrics {
    pub fn batch_committed(&self, commands: usize) {
        self.batch_size.observe(commands as u64);
    }

    pub fn batch_failed(&self) {
        self.failures.fetch_add(1, Ordering::Relaxed);
    }

    /// The gauge of records not yet consumed on this worker's partitions, kept by the
    /// consumer's statistics callback.
    pub fn lag_gauge(&self) -> Arc<AtomicI64> {
        Arc::clone(&self.lag)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        self.batch_size.render(
            &mut out,
            "parley_worker_batch_size",
            "Commands applied per batch.",
        );
        let _ = writeln!(
            out,
            "# HELP parley_worker_batch_failures_total Batches rolled back and retried."
        );
        let _ = writeln!(out, "# TYPE parley_worker_batch_failures_total counter");
        let _ = writeln!(
            out,
            "parley_worker_batch_failures_total {}",
            self.failures.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP parley_worker_lag Command records not yet consumed on this worker's partitions.");
        let _ = writeln!(out, "# TYPE parley_worker_lag gauge");
        let _ = writeln!(
            out,
            "parley_worker_lag {}",
            self.lag.load(Ordering::Relaxed)
        );
        self.command_age.render(
            &mut out,
            "parley_worker_command_age_seconds",
            "Time from a gateway producing a command to this worker polling it.",
        );
        out
    }
}

/// Serves the metrics on `listen` until `shutdown`, on a thread of its own.
pub fn serve(
    listen: &str,
    metrics: Arc<WorkerMetrics>,
    shutdown: CancellationToken,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let listener = TcpListener::bind(listen)?;
    listener.set_nonblocking(true)?;
    tracing::info!(addr = %listener.local_addr()?, "worker metrics listening");
    Ok(std::thread::spawn(move || {
        while !shutdown.is_cancelled() {
            match listener.accept() {
                Ok((mut conn, _)) => {
                    let _ = conn.set_nonblocking(false);
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut request = [0u8; 1024];
                    let _ = conn.read(&mut request);
                    let body = metrics.render();
                    let _ = write!(
                        conn,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_sizes_land_in_cumulative_buckets() {
        let m = WorkerMetrics::default();
        m.batch_committed(3);
        m.batch_committed(120);
        m.lag_gauge().store(7, Ordering::Relaxed);
        let text = m.render();
        assert!(text.contains("parley_worker_batch_size_bucket{le=\"1\"} 0"));
        assert!(text.contains("parley_worker_batch_size_bucket{le=\"5\"} 1"));
        assert!(text.contains("parley_worker_batch_size_bucket{le=\"250\"} 2"));
        assert!(text.contains("parley_worker_batch_size_sum 123"));
        assert!(text.contains("parley_worker_lag 7"));
    }
}
