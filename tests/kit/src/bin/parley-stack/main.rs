//! `parley-stack`: the developer's and the scripts' way to start Parley's processes, built
//! on `parley-kit`. `run` is what `scripts/run` runs after building; `exec` runs a command
//! against a stack of its own (`scripts/bench-smoke`); `serve` is what the browser tests
//! drive (JSON on stdout, commands on stdin). Every mode stops its processes with SIGTERM
//! then SIGKILL, gateways first, on Ctrl-C, SIGTERM or SIGHUP.

#![warn(clippy::too_many_lines)]

mod exec;
mod run;
mod serve;
mod signals;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "parley-stack", about = "Start Parley's worker and gateways")]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// One worker and one gateway on the environment's database and topics, until Ctrl-C.
    /// Logs: .local/logs/{worker,gateway}.log.
    Run {
        /// Where the gateway listens.
        #[arg(long, env = "PARLEY_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// A worker and a gateway on a fresh database, topic prefix and port; runs COMMAND with
    /// PARLEY_URL set to the gateway, then stops them and drops the database. Exits with
    /// the command's status.
    Exec {
        /// Where the worker and gateway logs go.
        #[arg(long)]
        log_dir: PathBuf,
        #[arg(required = true, trailing_var_arg = true)]
        command: Vec<String>,
    },
    /// A worker and named gateways on a fresh database and topic prefix. Prints one JSON
    /// line (URLs, pids, logs) when all are ready, then reads commands from stdin, one a
    /// line: `stop-gateway NAME` or `start-gateway NAME` (same port), each answered with
    /// {"ok":true} or {"ok":false,"error":"..."}. Stops everything when stdin closes.
    Serve {
        /// Names of the gateways, e.g. a,b (processes gateway-a, gateway-b).
        #[arg(long, value_delimiter = ',', default_value = "a,b")]
        gateways: Vec<String>,
        #[arg(long)]
        log_dir: PathBuf,
    },
}

/// Where `worker` and `gateway` are: next to this binary (cargo builds them together).
fn bins() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().map(PathBuf::from);
    dir.ok_or_else(|| anyhow::anyhow!("{} has no directory", exe.display()))
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let result = match cli.mode {
        Mode::Run { listen } => run::run(&listen).await,
        Mode::Exec { log_dir, command } => exec::exec(log_dir, &command).await,
        Mode::Serve { gateways, log_dir } => serve::serve(&gateways, log_dir).await,
    };
    let code = result.unwrap_or_else(|e| {
        eprintln!("parley-stack: error: {e:#}");
        1
    });
    // Exit here rather than return: a pending read of stdin (serve) would keep the runtime
    // from shutting down.
    std::process::exit(code);
}
