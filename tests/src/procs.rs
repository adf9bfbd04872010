//! The system as separate processes, for crash tests: real `gateway` and `worker`
//! binaries (from `cargo build --bins`, started and stopped by `parley-kit`) on an
//! isolated local Postgres and three-broker Kafka (`scripts/services` with
//! `PARLEY_SERVICES_DIR=.local/crash`), killed for real.

use backon::BlockingRetryable;
use parley_kit::{free_port, paths, Fresh, Services, Stack, StackPlan};
use std::ops::{Deref, DerefMut};
use std::time::Duration;

/// The crash suite's own services, apart from a developer's: started (or found running)
/// with a few tries, since a cluster may still be settling after a previous test's broker
/// restart.
fn crash_services() -> anyhow::Result<Services> {
    let dir = paths::repo_root()
        .join(".local/crash")
        .display()
        .to_string();
    let instance = [
        ("PARLEY_SERVICES_DIR", dir.as_str()),
        ("PARLEY_PG_PORT", "25432"),
        ("PARLEY_KAFKA_PORT", "29092"),
        ("PARLEY_KAFKA_BROKERS", "3"),
    ];
    let up = || Services::up(&instance);
    Ok(up
        .retry(std::iter::repeat_n(Duration::from_secs(5), 2))
        .call()?)
}

/// A running system: gateways and workers (`parley_kit::Stack`, which this derefs to) on
/// a fresh database and topic prefix of the crash services.
pub struct System {
    pub services: Services,
    pub database_url: String,
    pub prefix: String,
    stack: Stack,
}

impl Deref for System {
    type Target = Stack;
    fn deref(&self) -> &Stack {
        &self.stack
    }
}

impl DerefMut for System {
    fn deref_mut(&mut self) -> &mut Stack {
        &mut self.stack
    }
}

impl System {
    /// Starts `gateways` gateways and `workers` workers. `extra` env applies to both.
    /// Logs: `target/crash-logs/<test>/{gateway,worker}<i>.log`.
    pub async fn start(
        test: &str,
        gateways: usize,
        workers: usize,
        extra: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        Self::start_with_consumers(test, gateways, workers, (0, 0), extra).await
    }

    /// [`System::start`], with `(indexers, audits)` search indexers and audit consumers
    /// too, after the workers in `workers`: indexer `i` is `workers[workers + i]`, audit
    /// consumer `i` is `workers[workers + indexers + i]`.
    pub async fn start_with_consumers(
        test: &str,
        gateways: usize,
        workers: usize,
        (indexers, audits): (usize, usize),
        extra: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let services = tokio::task::spawn_blocking(crash_services).await??;
        let fresh = Fresh::create(&services).await?;
        let (database_url, prefix) = (fresh.database_url().to_owned(), fresh.topic_prefix());
        let logs = paths::target_dir().join("crash-logs").join(test);
        let _ = std::fs::remove_dir_all(&logs);
        let mut plan = StackPlan::new(paths::debug_bins(), logs)
            .fresh(fresh)
            .timeouts(Duration::from_secs(60), Duration::from_secs(15));
        let common = [
            ("PARLEY_PARTITIONS", "4"),
            ("PARLEY_REPLICATION", "3"),
            ("PARLEY_SEND_RATE", "100000"),
            ("PARLEY_SEND_BURST", "100000"),
            ("PARLEY_WRITE_RATE", "100000"),
            ("PARLEY_WRITE_BURST", "100000"),
            ("PARLEY_AUTH_ADDR_RATE", "100000"),
            ("PARLEY_AUTH_ADDR_BURST", "100000"),
            ("PARLEY_AUTH_ACCOUNT_RATE", "100000"),
            ("PARLEY_AUTH_ACCOUNT_BURST", "100000"),
            ("PARLEY_HASH_QUEUE", "100000"),
            ("PARLEY_HASH_PER_ADDRESS", "100000"),
            ("PARLEY_STREAMS_PER_ADDRESS", "1000000"),
            ("RUST_LOG", "info"),
        ];
        for (k, v) in common.iter().chain(extra) {
            plan = plan.env(*k, *v);
        }
        for i in 0..workers {
            plan = plan.worker(
                &format!("worker{i}"),
                &[("PARLEY_WORKER_ID", &format!("w{i}"))],
            );
        }
        for i in 0..indexers {
            plan = plan.indexer(
                &format!("indexer{i}"),
                &[("PARLEY_INDEXER_ID", &format!("i{i}"))],
            );
        }
        for i in 0..audits {
            plan = plan.audit(
                &format!("audit{i}"),
                &[("PARLEY_AUDIT_ID", &format!("a{i}"))],
            );
        }
        for i in 0..gateways {
            plan = plan.gateway(&format!("gateway{i}"), free_port()?);
        }
        let stack = plan.start().await?;
        Ok(Self {
            services,
            database_url,
            prefix,
            stack,
        })
    }

    /// Starts worker `i` again (after a `kill9`).
    pub async fn restart_worker(&mut self, i: usize) -> anyhow::Result<()> {
        Ok(self.stack.restart_worker(i)?)
    }

    /// A direct connection to this system's database, for checking what was stored.
    pub fn db(&self) -> anyhow::Result<diesel::PgConnection> {
        use diesel::Connection;
        Ok(diesel::PgConnection::establish(&self.database_url)?)
    }
}
