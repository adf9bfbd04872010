//! What the gateway and the worker report about themselves: logs to stderr, the shutdown
//! signal, and Prometheus metrics. Metrics are `prometheus-client` types in a `Registry`
//! that each binary owns; [`render`] writes it in the Prometheus text format (0.0.4), the
//! format the integration tests and `parley-bench` read; [`serve::metrics`] serves it on
//! a listener of its own.

#![warn(clippy::too_many_lines)]

pub mod age;
pub mod process;
pub mod serve;

pub use prometheus_client;

use prometheus_client::registry::{Metric, Registry};

/// The `Content-Type` of [`render`]'s text, as `docs/openapi.json` documents it (the
/// library's own constant adds `; charset=utf-8`).
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// A new metric of type `M`, registered as `name`. The handle returned shares its value
/// with the registered one. Counters are named without `_total`: the encoder appends it.
/// The encoder also ends `help` with a period.
pub fn register<M: Metric + Clone + Default>(registry: &mut Registry, name: &str, help: &str) -> M {
    let metric = M::default();
    registry.register(name, help, metric.clone());
    metric
}

/// `registry` in the Prometheus text format (0.0.4).
pub fn render(registry: &Registry) -> String {
    let mut out = String::with_capacity(2048);
    // Writing to a String cannot fail, and our metrics' encoders do not either.
    if let Err(e) = prometheus_client::encoding::prometheus_text::encode(&mut out, registry) {
        tracing::warn!(error = %e, "encoding metrics");
    }
    out
}
