//! A stack of `worker` and `gateway` processes: started from a [`StackPlan`] (workers
//! first, then gateways, then the wait until every gateway is ready), restarted one by one
//! (a gateway on the same port), and stopped gateways first, so no request reaches a worker
//! that is gone. A stack that owns a [`Fresh`] database drops it after the stop.

use crate::{paths, Fresh, KitError, Proc, ProcSpec};
use futures_util::future::select_all;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// What to start. Every process inherits this process's environment, then `env`, then its
/// own additions.
#[derive(Debug)]
pub struct StackPlan {
    bins: PathBuf,
    logs: PathBuf,
    env: Vec<(String, String)>,
    procs: Vec<ProcSpec>,
    fresh: Option<Fresh>,
    own_groups: bool,
    ready_within: Duration,
    stop_within: Duration,
}

impl StackPlan {
    /// Binaries from `bins` (usually [`paths::debug_bins`]), logs `<name>.log` in `logs`.
    /// Gateways serve the checkout's `static/` unless `PARLEY_STATIC_DIR` says otherwise.
    pub fn new(bins: impl Into<PathBuf>, logs: impl Into<PathBuf>) -> Self {
        let mut env = Vec::new();
        if std::env::var_os("PARLEY_STATIC_DIR").is_none() {
            let dir = paths::static_dir().display().to_string();
            env.push(("PARLEY_STATIC_DIR".to_owned(), dir));
        }
        Self {
            bins: bins.into(),
            logs: logs.into(),
            env,
            procs: Vec::new(),
            fresh: None,
            own_groups: false,
            ready_within: Duration::from_secs(60),
            stop_within: Duration::from_secs(20),
        }
    }

    /// Runs on this fresh database and topic prefix, and drops the database on stop.
    pub fn fresh(mut self, fresh: Fresh) -> Self {
        self.env.extend(fresh.env());
        self.fresh = Some(fresh);
        self
    }

    pub fn env<K: Into<String>, V: Into<String>>(mut self, k: K, v: V) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn worker(self, name: &str, env: &[(&str, &str)]) -> Self {
        self.proc(name, "worker", None, env)
    }

    /// A search indexer (counted with the workers: it has no `/readyz` either).
    pub fn indexer(self, name: &str, env: &[(&str, &str)]) -> Self {
        self.proc(name, "indexer", None, env)
    }

    /// An audit consumer (counted with the workers: it has no `/readyz` either).
    pub fn audit(self, name: &str, env: &[(&str, &str)]) -> Self {
        self.proc(name, "audit", None, env)
    }

    /// A gateway listening on `127.0.0.1:port`.
    pub fn gateway(self, name: &str, port: u16) -> Self {
        self.gateway_on(name, &format!("127.0.0.1:{port}"))
    }

    /// A gateway listening on `listen` (a wildcard address is reached on loopback).
    pub fn gateway_on(self, name: &str, listen: &str) -> Self {
        let url = format!("http://{}", reachable(listen));
        self.proc(name, "gateway", Some(url), &[("PARLEY_LISTEN", listen)])
    }

    /// Processes in groups of their own (see [`ProcSpec::own_group`]).
    pub fn own_groups(mut self) -> Self {
        self.own_groups = true;
        self
    }

    pub fn timeouts(mut self, ready: Duration, stop: Duration) -> Self {
        (self.ready_within, self.stop_within) = (ready, stop);
        self
    }

    fn proc(mut self, name: &str, bin: &str, url: Option<String>, env: &[(&str, &str)]) -> Self {
        self.procs.push(ProcSpec {
            name: name.to_owned(),
            bin: self.bins.join(bin),
            env: Vec::new(),
            log: self.logs.join(format!("{name}.log")),
            url,
            own_group: false,
        });
        if let Some(spec) = self.procs.last_mut() {
            spec.env = env
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect();
        }
        self
    }

    /// Starts every process and waits until every gateway is ready. When a gateway does
    /// not become ready, everything is stopped (and the fresh database dropped) first.
    pub async fn start(self) -> Result<Stack, KitError> {
        let what = format!("creating {}", self.logs.display());
        std::fs::create_dir_all(&self.logs).map_err(KitError::io(what))?;
        let mut stack = Stack {
            workers: Vec::new(),
            gateways: Vec::new(),
            fresh: self.fresh,
            ready_within: self.ready_within,
            stop_within: self.stop_within,
        };
        let (gateways, workers): (Vec<_>, Vec<_>) =
            self.procs.into_iter().partition(|p| p.url.is_some());
        for mut spec in workers.into_iter().chain(gateways) {
            spec.own_group = self.own_groups;
            spec.env = self.env.iter().cloned().chain(spec.env).collect();
            let proc = Proc::start(spec)?;
            match proc.url() {
                Some(_) => stack.gateways.push(proc),
                None => stack.workers.push(proc),
            }
        }
        for i in 0..stack.gateways.len() {
            if let Err(e) = stack.wait_gateway_ready(i).await {
                stack.stop().await;
                return Err(e);
            }
        }
        Ok(stack)
    }
}

/// Running processes; see the module doc.
#[derive(Debug)]
pub struct Stack {
    pub workers: Vec<Proc>,
    pub gateways: Vec<Proc>,
    fresh: Option<Fresh>,
    ready_within: Duration,
    stop_within: Duration,
}

impl Stack {
    /// The base URL of gateway `i` (empty when there is no such gateway).
    pub fn url(&self, i: usize) -> &str {
        self.gateways.get(i).and_then(Proc::url).unwrap_or_default()
    }

    pub fn gateway_index(&self, name: &str) -> Result<usize, KitError> {
        let found = self.gateways.iter().position(|g| g.name() == name);
        found.ok_or_else(|| KitError::NoSuchGateway(name.to_owned()))
    }

    /// The fresh database and topic prefix this stack runs on, if it owns one.
    pub fn fresh(&self) -> Option<&Fresh> {
        self.fresh.as_ref()
    }

    /// Waits until gateway `i` is ready, failing early when it or a worker exits.
    pub async fn wait_gateway_ready(&mut self, i: usize) -> Result<(), KitError> {
        let within = self.ready_within;
        let gateway = self
            .gateways
            .get_mut(i)
            .ok_or_else(|| KitError::NoSuchGateway(i.to_string()))?;
        let url = gateway.url().unwrap_or_default().to_owned();
        let mut watch: Vec<&mut Proc> = self.workers.iter_mut().collect();
        watch.push(gateway);
        crate::wait_ready(&url, within, &mut watch).await
    }

    /// Stops gateway `i` (SIGTERM, then SIGKILL).
    pub async fn stop_gateway(&mut self, i: usize) -> Result<(), KitError> {
        let within = self.stop_within;
        let gateway = self.gateways.get_mut(i);
        let gateway = gateway.ok_or_else(|| KitError::NoSuchGateway(i.to_string()))?;
        gateway.terminate(within).await.map(|_| ())
    }

    /// Starts gateway `i` again on the same port and waits until it is ready.
    pub async fn restart_gateway(&mut self, i: usize) -> Result<(), KitError> {
        let gateway = self.gateways.get_mut(i);
        let gateway = gateway.ok_or_else(|| KitError::NoSuchGateway(i.to_string()))?;
        gateway.start_again()?;
        self.wait_gateway_ready(i).await
    }

    /// Starts worker `i` again (it is not waited for: workers have no `/readyz`).
    pub fn restart_worker(&mut self, i: usize) -> Result<(), KitError> {
        match self.workers.get_mut(i) {
            Some(worker) => worker.start_again(),
            None => Ok(()),
        }
    }

    /// Waits until any process exits: its name and exit status.
    pub async fn wait_any_exit(&mut self) -> (String, std::io::Result<ExitStatus>) {
        let procs = self.gateways.iter_mut().chain(self.workers.iter_mut());
        let waits: Vec<_> = procs
            .map(|p| Box::pin(async move { (p.name().to_owned(), p.wait().await) }))
            .collect();
        if waits.is_empty() {
            return std::future::pending().await;
        }
        select_all(waits).await.0
    }

    /// Stops every process, gateways first, then drops the fresh database if it owns one.
    pub async fn stop(&mut self) {
        let within = self.stop_within;
        for proc in self.gateways.iter_mut().chain(self.workers.iter_mut()) {
            proc.stop(within).await;
        }
        if let Some(fresh) = self.fresh.take() {
            let name = fresh.database.name.clone();
            if let Err(e) = fresh.drop_all().await {
                eprintln!("could not drop the database {name}: {e}");
            }
        }
    }
}

/// A free TCP port on loopback (free now; a race with other processes is possible).
pub fn free_port() -> Result<u16, KitError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(KitError::io("finding a free port"))
}

/// Where to reach a listen address: a wildcard host is reached on loopback.
pub fn reachable(listen: &str) -> String {
    match listen.rsplit_once(':') {
        Some(("0.0.0.0" | "", port)) => format!("127.0.0.1:{port}"),
        Some(("[::]", port)) => format!("[::1]:{port}"),
        _ => listen.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::reachable;

    #[test]
    fn a_wildcard_listen_address_is_reached_on_loopback() {
        assert_eq!(reachable("0.0.0.0:8080"), "127.0.0.1:8080");
        assert_eq!(reachable(":8080"), "127.0.0.1:8080");
        assert_eq!(reachable("[::]:80"), "[::1]:80");
        assert_eq!(reachable("10.0.0.2:80"), "10.0.0.2:80");
    }
}
