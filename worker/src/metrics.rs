//! The worker's metrics (batch sizes, failures, consumer lag, command age), registered with
//! `prometheus-client` and served at `/metrics` on `PARLEY_WORKER_METRICS_LISTEN`
//! (`parley_telemetry::serve::metrics`; any other path is a 404).

use parley_telemetry::age::AgeHistogram;
use parley_telemetry::prometheus_client::collector::Collector;
use parley_telemetry::prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use parley_telemetry::prometheus_client::metrics::counter::Counter;
use parley_telemetry::prometheus_client::metrics::gauge::ConstGauge;
use parley_telemetry::prometheus_client::metrics::histogram::Histogram;
use parley_telemetry::prometheus_client::registry::Registry;
use std::net::TcpListener;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Upper bounds of the batch-size histogram buckets.
const BUCKETS: [f64; 7] = [1.0, 5.0, 10.0, 50.0, 100.0, 250.0, 500.0];

pub struct WorkerMetrics {
    registry: Registry,
    batch_size: Histogram,
    failures: Counter,
    lag: Arc<AtomicI64>,
    /// From a gateway producing a command to this worker polling it.
    pub command_age: AgeHistogram,
}

/// `parley_worker_lag`, read at each scrape from the atomic that the consumer's statistics
/// callback (`parley_bus::context::LogContext`) keeps.
#[derive(Debug)]
struct Lag(Arc<AtomicI64>);

impl Collector for Lag {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let gauge = ConstGauge::new(self.0.load(Ordering::Relaxed));
        gauge.encode(encoder.encode_descriptor(
            "parley_worker_lag",
            "Command records not yet consumed on this worker's partitions.",
            None,
            gauge.metric_type(),
        )?)
    }
}

impl Default for WorkerMetrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let batch_size = Histogram::new(BUCKETS);
        registry.register(
            "parley_worker_batch_size",
            "Commands applied per batch",
            batch_size.clone(),
        );
        let failures = parley_telemetry::register(
            &mut registry,
            "parley_worker_batch_failures",
            "Batches rolled back and retried",
        );
        let lag = Arc::new(AtomicI64::new(0));
        registry.register_collector(Box::new(Lag(Arc::clone(&lag))));
        let command_age = AgeHistogram::register(
            &mut registry,
            "parley_worker_command_age_seconds",
            "Time from a gateway producing a command to this worker polling it",
        );
        Self {
            registry,
            batch_size,
            failures,
            lag,
            command_age,
        }
    }
}

impl WorkerMetrics {
    pub fn batch_committed(&self, commands: usize) {
        self.batch_size.observe(commands as f64);
    }

    pub fn batch_failed(&self) {
        self.failures.inc();
    }

    /// The gauge of records not yet consumed on this worker's partitions, kept by the
    /// consumer's statistics callback.
    pub fn lag_gauge(&self) -> Arc<AtomicI64> {
        Arc::clone(&self.lag)
    }

    pub fn render(&self) -> String {
        parley_telemetry::render(&self.registry)
    }
}

/// Serves `GET /metrics` on `listener` until `shutdown` fires.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<WorkerMetrics>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    parley_telemetry::serve::metrics(listener, metrics, WorkerMetrics::render, "worker", shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn batch_sizes_land_in_cumulative_buckets() {
        let m = WorkerMetrics::default();
        m.batch_committed(3);
        m.batch_committed(120);
        m.batch_failed();
        m.lag_gauge().store(7, Ordering::Relaxed);
        let text = m.render();
        for line in [
            "parley_worker_batch_size_bucket{le=\"1\"} 0",
            "parley_worker_batch_size_bucket{le=\"5\"} 1",
            "parley_worker_batch_size_bucket{le=\"250\"} 2",
            "parley_worker_batch_size_bucket{le=\"+Inf\"} 2",
            "parley_worker_batch_size_sum 123.0",
            "parley_worker_batch_failures_total 1",
            "# TYPE parley_worker_lag gauge",
            "parley_worker_lag 7",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
    }

    #[tokio::test]
    async fn serves_metrics_and_404_elsewhere_until_shutdown() -> anyhow::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let base = format!("http://{}", listener.local_addr()?);
        let shutdown = CancellationToken::new();
        let metrics = Arc::new(WorkerMetrics::default());
        let server = tokio::spawn(serve(listener, metrics, shutdown.clone()));

        let metrics = reqwest::get(format!("{base}/metrics")).await?;
        let nope = reqwest::get(format!("{base}/nope")).await?;

        assert_eq!(metrics.status(), 200);
        let text = metrics.text().await?;
        for name in [
            "parley_worker_batch_size_count",
            "parley_worker_batch_failures_total",
            "parley_worker_lag",
            "parley_worker_command_age_seconds_count",
        ] {
            assert!(text.contains(name), "{name} missing:\n{text}");
        }
        assert_eq!(nope.status(), 404);
        shutdown.cancel();
        let stopped = tokio::time::timeout(Duration::from_secs(5), server).await;
        assert!(matches!(stopped, Ok(Ok(Ok(())))), "{stopped:?}");
        Ok(())
    }
}
