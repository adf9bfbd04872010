//! Where Postgres and Kafka are: read from the environment (`eval "$(scripts/services up)"`
//! exports them), or from an instance of `scripts/services` of its own that this starts and
//! controls (the crash suite's, with `PARLEY_SERVICES_DIR` and other ports). The bash
//! script stays the one place that installs and runs the services.

use crate::{paths, KitError};
use std::collections::HashMap;
use std::process::Stdio;

/// The services a stack runs on.
#[derive(Debug, Clone)]
pub struct Services {
    pub database_url: String,
    pub kafka: String,
    /// The settings of the `scripts/services` instance (empty: the developer's).
    instance: Vec<(String, String)>,
}

impl Services {
    /// `DATABASE_URL` and `KAFKA_BOOTSTRAP_SERVERS`, defaulting to `scripts/services`' own.
    pub fn from_env() -> Self {
        Self {
            database_url: std::env::var("DATABASE_URL")
                .unwrap_or_else(|_| "postgres://parley:parley@127.0.0.1:5432/parley".into()),
            kafka: std::env::var("KAFKA_BOOTSTRAP_SERVERS")
                .unwrap_or_else(|_| "127.0.0.1:9092".into()),
            instance: Vec::new(),
        }
    }

    /// Runs `scripts/services up` with `instance` settings (blocking; it may install and
    /// start everything) and reads the exports it prints.
    pub fn up(instance: &[(&str, &str)]) -> Result<Self, KitError> {
        let instance: Vec<(String, String)> = instance
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let out = std::process::Command::new(script())
            .arg("up")
            .envs(instance.iter().cloned())
            .stderr(Stdio::inherit())
            .output()
            .map_err(KitError::io("running scripts/services up"))?;
        if !out.status.success() {
            return Err(KitError::Services("up".into()));
        }
        let exports: HashMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let get = |k: &str| {
            let missing = || KitError::Services(format!("up printed no {k}"));
            exports.get(k).cloned().ok_or_else(missing)
        };
        Ok(Self {
            database_url: get("DATABASE_URL")?,
            kafka: get("KAFKA_BOOTSTRAP_SERVERS")?,
            instance,
        })
    }

    /// Runs `scripts/services <args>` on this instance (stop-postgres, kill-broker 2, ...).
    pub async fn ctl(&self, args: &[&str]) -> Result<(), KitError> {
        let status = tokio::process::Command::new(script())
            .args(args)
            .envs(self.instance.iter().cloned())
            .status()
            .await
            .map_err(KitError::io("running scripts/services"))?;
        if !status.success() {
            return Err(KitError::Services(args.join(" ")));
        }
        Ok(())
    }
}

fn script() -> std::path::PathBuf {
    paths::repo_root().join("scripts/services")
}
