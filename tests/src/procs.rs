//! The system as separate processes, for crash tests: real `gateway` and `worker`
//! binaries (from `cargo build --bins`, started and stopped by `parley-kit`) on an
//! isolated local Postgres and three-broker Kafka (`scripts/services` with
//! `PARLEY_SERVICES_DIR=.local/crash`), killed for real.

use anyhow::{bail, Context};
use parley_kit::{free_port, paths, Fresh, Services, Stack, StackPlan};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

/// The crash suite's own services, apart from a developer's.
#[derive(Debug, Clone)]
pub struct CrashServices {
    env: Vec<(String, String)>,
    pub database_url: String,
    pub kafka: String,
}

impl CrashServices {
    /// Starts (or finds running) the isolated services and reads their exports; a cluster
    /// still settling after a previous test's broker restart gets a few tries.
    pub fn up() -> anyhow::Result<Self> {
        let mut last = None;
        for _ in 0..3 {
            match Self::up_once() {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
            std::thread::sleep(Duration::from_secs(5));
        }
        Err(last.unwrap_or_else(|| anyhow::anyhow!("scripts/services up failed")))
    }

    fn up_once() -> anyhow::Result<Self> {
        let env: Vec<(String, String)> = [
            (
                "PARLEY_SERVICES_DIR",
                paths::repo_root()
                    .join(".local/crash")
                    .display()
                    .to_string(),
            ),
            ("PARLEY_PG_PORT", "55432".into()),
            ("PARLEY_KAFKA_PORT", "39092".into()),
            ("PARLEY_KAFKA_BROKERS", "3".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let out = std::process::Command::new(services_script())
            .arg("up")
            .envs(env.iter().cloned())
            .stderr(Stdio::inherit())
            .output()
            .context("running scripts/services up")?;
        if !out.status.success() {
            bail!("scripts/services up failed");
        }
        let exports: HashMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Ok(Self {
            database_url: exports
                .get("DATABASE_URL")
                .cloned()
                .context("no DATABASE_URL")?,
            kafka: exports
                .get("KAFKA_BOOTSTRAP_SERVERS")
                .cloned()
                .context("no KAFKA_BOOTSTRAP_SERVERS")?,
            env,
        })
    }

    /// Runs `scripts/services <args>` on these services (stop-postgres, kill-broker 2, ...).
    pub async fn ctl(&self, args: &[&str]) -> anyhow::Result<()> {
        let status = Command::new(services_script())
            .args(args)
            .envs(self.env.iter().cloned())
            .status()
            .await?;
        anyhow::ensure!(status.success(), "scripts/services {args:?} failed");
        Ok(())
    }
}

/// A running system: gateways and workers (`parley_kit::Stack`, which this derefs to) on
/// a fresh database and topic prefix of the crash services.
pub struct System {
    pub services: CrashServices,
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
        let services = tokio::task::spawn_blocking(CrashServices::up).await??;
        let fresh = Fresh::create(&Services {
            database_url: services.database_url.clone(),
            kafka: services.kafka.clone(),
        })
        .await?;
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

fn services_script() -> std::path::PathBuf {
    paths::repo_root().join("scripts/services")
}
