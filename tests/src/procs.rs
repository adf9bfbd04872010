//! The system as separate processes, for crash tests: real `gateway` and `worker`
//! binaries (from `cargo build --bins`) on an isolated local Postgres and three-broker
//! Kafka (`scripts/services` with `PARLEY_SERVICES_DIR=.local/crash`), killed for real.

use anyhow::{bail, Context};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

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
            ("PARLEY_SERVICES_DIR", format!("{REPO}/.local/crash")),
            ("PARLEY_PG_PORT", "55432".into()),
            ("PARLEY_KAFKA_PORT", "39092".into()),
            ("PARLEY_KAFKA_BROKERS", "3".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let out = std::process::Command::new(format!("{REPO}/scripts/services"))
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
        let status = Command::new(format!("{REPO}/scripts/services"))
            .args(args)
            .envs(self.env.iter().cloned())
            .status()
            .await?;
        anyhow::ensure!(status.success(), "scripts/services {args:?} failed");
        Ok(())
    }
}

fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{REPO}/target"));
    let path = Path::new(&dir).join("debug").join(name);
    anyhow::ensure!(
        path.exists(),
        "{} is missing: run `cargo build --bins` first",
        path.display()
    );
    Ok(path)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// One gateway or worker process.
pub struct Proc {
    name: String,
    bin: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
    pub port: Option<u16>,
}

impl Proc {
    async fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(&self.bin)
            .envs(self.env.iter().cloned())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", self.name))?;
        self.child = Some(child);
        Ok(())
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// `kill -9`.
    pub async fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// SIGTERM, then wait for a clean exit; the exit status's success.
    pub async fn terminate(&mut self, within: Duration) -> anyhow::Result<bool> {
        let Some(mut child) = self.child.take() else {
            return Ok(true);
        };
        if let Some(pid) = child.id() {
            Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status()
                .await?;
        }
        match tokio::time::timeout(within, child.wait()).await {
            Ok(status) => Ok(status?.success()),
            Err(_) => {
                let _ = child.kill().await;
                bail!("{} did not stop within {within:?} of SIGTERM", self.name)
            }
        }
    }
}

/// A running system: gateways and workers on a fresh database and topic prefix.
pub struct System {
    pub services: CrashServices,
    pub database_url: String,
    pub prefix: String,
    pub gateways: Vec<Proc>,
    pub workers: Vec<Proc>,
}

impl System {
    /// Starts `gateways` gateways and `workers` workers. `extra` env applies to both.
    pub async fn start(
        test: &str,
        gateways: usize,
        workers: usize,
        extra: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let services = tokio::task::spawn_blocking(CrashServices::up).await??;
        let stamp = crate::env::now_secs();
        let suffix = crate::unique("");
        let db_name = format!("parley_test_{stamp}_{suffix}");
        let database_url = crate::env::create_database(&services.database_url, &db_name)?;
        let prefix = format!("test_{stamp}_{suffix}");
        let logs = PathBuf::from(format!("{REPO}/target/crash-logs/{test}"));
        let _ = std::fs::remove_dir_all(&logs);
        std::fs::create_dir_all(&logs)?;
        let common: Vec<(String, String)> = [
            ("DATABASE_URL", database_url.as_str()),
            ("KAFKA_BOOTSTRAP_SERVERS", services.kafka.as_str()),
            ("PARLEY_TOPIC_PREFIX", prefix.as_str()),
            ("PARLEY_PARTITIONS", "4"),
            ("PARLEY_REPLICATION", "3"),
            ("PARLEY_SEND_RATE", "100000"),
            ("PARLEY_SEND_BURST", "100000"),
            (
                "PARLEY_STATIC_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../static"),
            ),
            ("RUST_LOG", "info"),
        ]
        .iter()
        .chain(extra.iter())
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let mut system = Self {
            services,
            database_url,
            prefix,
            gateways: Vec::new(),
            workers: Vec::new(),
        };
        for i in 0..workers {
            let mut env = common.clone();
            env.push(("PARLEY_WORKER_ID".into(), format!("w{i}")));
            let mut p = Proc {
                name: format!("worker{i}"),
                bin: binary("worker")?,
                env,
                log: logs.join(format!("worker{i}.log")),
                child: None,
                port: None,
            };
            p.spawn().await?;
            system.workers.push(p);
        }
        for i in 0..gateways {
            let port = free_port()?;
            let mut env = common.clone();
            env.push(("PARLEY_LISTEN".into(), format!("127.0.0.1:{port}")));
            let mut p = Proc {
                name: format!("gateway{i}"),
                bin: binary("gateway")?,
                env,
                log: logs.join(format!("gateway{i}.log")),
                child: None,
                port: Some(port),
            };
            p.spawn().await?;
            system.gateways.push(p);
        }
        for i in 0..gateways {
            system.wait_gateway_ready(i).await?;
        }
        Ok(system)
    }

    pub fn url(&self, gateway: usize) -> String {
        format!(
            "http://127.0.0.1:{}",
            self.gateways[gateway].port.unwrap_or(0)
        )
    }

    pub async fn wait_gateway_ready(&self, i: usize) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let url = format!("{}/readyz", self.url(i));
        for _ in 0..600 {
            if let Ok(r) = http.get(&url).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("gateway {i} never became ready")
    }

    pub async fn restart_gateway(&mut self, i: usize) -> anyhow::Result<()> {
        self.gateways[i].spawn().await?;
        self.wait_gateway_ready(i).await
    }

    pub async fn restart_worker(&mut self, i: usize) -> anyhow::Result<()> {
        self.workers[i].spawn().await
    }

    /// A direct connection to this system's database, for checking what was stored.
    pub fn db(&self) -> anyhow::Result<diesel::PgConnection> {
        use diesel::Connection;
        Ok(diesel::PgConnection::establish(&self.database_url)?)
    }

    /// Stops everything (SIGTERM, then kill).
    pub async fn stop(&mut self) {
        for p in self.gateways.iter_mut().chain(self.workers.iter_mut()) {
            if p.terminate(Duration::from_secs(15)).await.is_err() {
                p.kill9().await;
            }
        }
    }
}
