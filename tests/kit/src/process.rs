//! One `worker` or `gateway` process: the binary with its environment (inherited, plus the
//! spec's), stdout and stderr appended to its own log behind a `====` header line, stopped
//! with SIGTERM and then SIGKILL. Starting it again runs the same binary with the same
//! environment, so a gateway comes back on the same port. A `Proc` dropped while its
//! process runs kills it: no process outlives its test.

use crate::KitError;
use rustix::process::{kill_process, Pid, Signal};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::process::{Child, Command};

/// What to run, and where its output goes.
#[derive(Debug, Clone)]
pub struct ProcSpec {
    pub name: String,
    pub bin: PathBuf,
    pub env: Vec<(String, String)>,
    pub log: PathBuf,
    /// `http://host:port` of a gateway, where `/readyz` answers; `None` for a worker.
    pub url: Option<String>,
    /// In a process group of its own, so a Ctrl-C in the terminal reaches only the parent,
    /// which then stops the process gracefully.
    pub own_group: bool,
}

/// A running (or stopped) process of a [`ProcSpec`].
#[derive(Debug)]
pub struct Proc {
    spec: ProcSpec,
    child: Option<Child>,
}

impl Proc {
    /// Spawns the process.
    pub fn start(spec: ProcSpec) -> Result<Self, KitError> {
        let mut proc = Self { spec, child: None };
        proc.start_again()?;
        Ok(proc)
    }

    /// Spawns the process again with the same binary and environment (a running one is
    /// killed first).
    pub fn start_again(&mut self) -> Result<(), KitError> {
        if let Some(mut old) = self.child.take() {
            let _ = old.start_kill();
        }
        let spec = &self.spec;
        if !spec.bin.exists() {
            return Err(KitError::MissingBinary {
                path: spec.bin.clone(),
            });
        }
        let what = format!("opening {}", spec.log.display());
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&spec.log)
            .map_err(KitError::io(what.clone()))?;
        let now = chrono::Utc::now().format("%FT%TZ");
        writeln!(log, "==== {now} parley-kit starts {}", spec.name)
            .map_err(KitError::io(what.clone()))?;
        let mut cmd = Command::new(&spec.bin);
        cmd.envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(KitError::io(what))?)
            .stderr(log)
            .kill_on_drop(true);
        if spec.own_group {
            cmd.process_group(0);
        }
        let child = cmd
            .spawn()
            .map_err(KitError::io(format!("starting {}", spec.name)))?;
        self.child = Some(child);
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    pub fn log(&self) -> &Path {
        &self.spec.log
    }

    /// The gateway's base URL (`None` for a worker).
    pub fn url(&self) -> Option<&str> {
        self.spec.url.as_deref()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// How the process ended, if it ended on its own: `None` while it runs, and also
    /// when it was stopped or killed on purpose (then there is nothing to wait for).
    pub fn exited_by_itself(&mut self) -> Option<String> {
        match self.child.as_mut().map(Child::try_wait) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(status))) => Some(status.to_string()),
            Some(Err(e)) => Some(format!("unknown: {e}")),
        }
    }

    /// Waits until the process exits; never returns when none runs.
    pub async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        match self.child.as_mut() {
            Some(child) => child.wait().await,
            None => std::future::pending().await,
        }
    }

    /// `kill -9`, and wait for it.
    pub async fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// SIGTERM, then wait up to `within` for the exit; SIGKILL (and an error) after that.
    pub async fn terminate(&mut self, within: Duration) -> Result<ExitStatus, KitError> {
        let Some(mut child) = self.child.take() else {
            return Ok(ExitStatus::default());
        };
        let pid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(Pid::from_raw);
        if let Some(pid) = pid {
            // It may have exited on its own already; the wait below tells.
            let _ = kill_process(pid, Signal::TERM);
        }
        match tokio::time::timeout(within, child.wait()).await {
            Ok(status) => status.map_err(KitError::io(format!("waiting for {}", self.name()))),
            Err(_) => {
                let _ = child.kill().await;
                Err(KitError::StopTimeout {
                    name: self.spec.name.clone(),
                    within,
                })
            }
        }
    }

    /// [`terminate`](Self::terminate), saying on stderr when it had to kill.
    pub async fn stop(&mut self, within: Duration) {
        if let Err(e) = self.terminate(within).await {
            eprintln!("{e}");
        }
    }

    /// The last `lines` lines of the log.
    pub fn tail(&self, lines: usize) -> String {
        log_tail(&self.spec.log, lines)
    }
}

pub fn log_tail(log: &Path, lines: usize) -> String {
    match std::fs::read_to_string(log) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(_) => "(no log)".into(),
    }
}
