//! What every mode prints: a human table, or with `--json` one JSON object with the common
//! keys (`mode`, `sent`, `delivered`, `lost`, `errors`, `p50_ms` .. `max_ms`,
//! `throughput_per_s`, `throughput_unit`) followed by the mode's own figures.

use crate::stats::Percentiles;
use serde_json::{json, Map, Value};
use std::fmt::Write;

#[derive(Debug, Clone)]
pub struct Report {
    pub mode: &'static str,
    pub sent: u64,
    pub delivered: u64,
    pub lost: u64,
    pub errors: u64,
    /// What the latency percentiles measure, for the table.
    pub latency_of: &'static str,
    pub latency: Option<Percentiles>,
    pub throughput_per_s: f64,
    /// What `throughput_per_s` counts, e.g. "deliveries".
    pub throughput_unit: &'static str,
    /// Mode-specific figures, in print order.
    pub extra: Vec<(&'static str, Value)>,
}

impl Report {
    pub fn new(mode: &'static str) -> Self {
        Self {
            mode,
            sent: 0,
            delivered: 0,
            lost: 0,
            errors: 0,
            latency_of: "latency",
            latency: None,
            throughput_per_s: 0.0,
            throughput_unit: "messages",
            extra: Vec::new(),
        }
    }

    pub fn with(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.extra.push((key, value.into()));
        self
    }

    /// The JSON object (missing percentiles are `null`).
    pub fn to_json(&self) -> Value {
        let p = self.latency;
        let pick = |f: fn(&Percentiles) -> f64| p.as_ref().map(|p| round3(f(p)));
        let mut obj = Map::new();
        let common = json!({
            "mode": self.mode,
            "sent": self.sent,
            "delivered": self.delivered,
            "lost": self.lost,
            "errors": self.errors,
            "p50_ms": pick(|p| p.p50_ms),
            "p90_ms": pick(|p| p.p90_ms),
            "p99_ms": pick(|p| p.p99_ms),
            "p999_ms": pick(|p| p.p999_ms),
            "max_ms": pick(|p| p.max_ms),
            "latency_samples": p.map_or(0, |p| p.count),
            "throughput_per_s": round3(self.throughput_per_s),
            "throughput_unit": self.throughput_unit,
        });
        if let Value::Object(m) = common {
            obj.extend(m);
        }
        for (k, v) in &self.extra {
            let v = match v.as_f64() {
                Some(f) if v.is_f64() => json!(round3(f)),
                _ => v.clone(),
            };
            obj.insert((*k).to_owned(), v);
        }
        Value::Object(obj)
    }

    /// The human table: one `name  value` row per figure.
    pub fn table(&self) -> String {
        let mut rows: Vec<(String, String)> = vec![
            ("sent".into(), self.sent.to_string()),
            ("delivered".into(), self.delivered.to_string()),
            ("lost".into(), self.lost.to_string()),
            ("errors".into(), self.errors.to_string()),
            (
                format!("throughput ({}/s)", self.throughput_unit),
                format!("{:.1}", self.throughput_per_s),
            ),
        ];
        match &self.latency {
            Some(p) => {
                rows.push((format!("{} samples", self.latency_of), p.count.to_string()));
                for (name, v) in [
                    ("p50", p.p50_ms),
                    ("p90", p.p90_ms),
                    ("p99", p.p99_ms),
                    ("p99.9", p.p999_ms),
                    ("max", p.max_ms),
                ] {
                    rows.push((
                        format!("{} {name} (ms)", self.latency_of),
                        format!("{v:.2}"),
                    ));
                }
            }
            None => rows.push((self.latency_of.into(), "no samples".into())),
        }
        for (k, v) in &self.extra {
            rows.push(((*k).to_owned(), show(v)));
        }
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut out = format!("parley-bench {}\n", self.mode);
        for (k, v) in rows {
            let _ = writeln!(out, "  {k:<width$}  {v}");
        }
        out
    }
}

/// Rounds to three decimals, so JSON stays readable (microsecond resolution in ms).
pub fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() => format!("{f:.2}"),
            _ => n.to_string(),
        },
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut r = Report::new("latency");
        r.sent = 10;
        r.delivered = 90;
        r.lost = 0;
        r.errors = 1;
        r.latency = Some(Percentiles {
            count: 90,
            p50_ms: 1.2345,
            p90_ms: 2.0,
            p99_ms: 3.0,
            p999_ms: 4.0,
            max_ms: 5.0,
        });
        r.throughput_per_s = 45.0;
        r.throughput_unit = "deliveries";
        r.with("rooms", 2)
            .with("setup_s", 1.5)
            .with("rate", 1.23456)
    }

    #[test]
    fn json_has_the_common_keys() {
        let v = sample().to_json();
        for key in [
            "sent",
            "delivered",
            "lost",
            "errors",
            "p50_ms",
            "p90_ms",
            "p99_ms",
            "p999_ms",
            "max_ms",
            "throughput_per_s",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["p50_ms"], json!(1.235));
        assert_eq!(v["rooms"], json!(2));
        assert_eq!(v["rate"], json!(1.235));
        assert_eq!(v["mode"], json!("latency"));
    }

    #[test]
    fn json_is_one_line() {
        let text = serde_json::to_string(&sample().to_json()).unwrap_or_default();
        assert!(!text.contains('\n'));
        assert!(text.contains("\"delivered\":90"));
    }

    #[test]
    fn missing_percentiles_are_null() {
        let v = Report::new("connections").to_json();
        assert_eq!(v["p99_ms"], Value::Null);
        assert_eq!(v["latency_samples"], json!(0));
    }

    #[test]
    fn table_lists_every_figure_aligned() {
        let t = sample().table();
        assert!(t.starts_with("parley-bench latency\n"));
        assert!(t.contains("latency p99 (ms)"));
        assert!(t.contains("3.00"));
        assert!(t.contains("setup_s"));
        assert!(t.contains("1.50"));
        let cols: Vec<usize> = t
            .lines()
            .skip(1)
            .filter_map(|l| l.rfind("  ").map(|i| i + 2))
            .collect();
        assert!(cols.windows(2).all(|w| w[0] == w[1]), "{t}");
    }
}
