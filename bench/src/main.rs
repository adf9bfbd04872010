//! `parley-bench`: the load generator of Parley, a client of the public HTTP + SSE API
//! only. One subcommand per benchmark; each prints a table, or with `--json` one JSON
//! object, and exits non-zero only when the run itself fails (never on the figures).

mod api;
mod listener;
mod modes;
mod payload;
mod procfs;
mod report;
mod setup;
mod sse;
mod stats;
mod wire;

use clap::{Parser, Subcommand};
use modes::{connections, fanout, flood, latency, throughput, typing};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "parley-bench",
    version,
    about = "Load generator for Parley: measures latency, throughput, idle-stream memory and \
             fan-out through the public HTTP + SSE API.",
    after_help = "Build with --release for real numbers. Progress goes to stderr; the report \
                  (table, or JSON with --json) to stdout. See docs/benchmarks.md."
)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Rooms x members with every stream open; fixed-rate open-loop sends; latency of
    /// every delivery to every other member, from the scheduled send time.
    Latency(latency::Args),
    /// Send as fast as the gateway accepts (202), then wait until all is persisted:
    /// accepted/s, persisted/s, send-to-persisted latency. Start the gateway with
    /// PARLEY_SEND_RATE=100000 PARLEY_SEND_BURST=100000.
    Throughput(throughput::Args),
    /// Open N idle streams on one gateway: its resident memory per stream.
    Connections(connections::Args),
    /// One room of N connected members: time from send until the last member has it.
    Fanout(fanout::Args),
    /// Concurrent bad logins from one address while /readyz is probed and a real user logs
    /// in from others: how the sign-in limits hold (run on a gateway with the defaults).
    SigninFlood(flood::Args),
    /// Rooms x members, every member typing every few seconds: delivery latency of the
    /// `typing` events, and what they cost each gateway (CPU, signals read).
    Typing(typing::Args),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.mode).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("parley-bench: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mode: Mode) -> anyhow::Result<()> {
    let (json, report) = match mode {
        Mode::Latency(a) => (a.common.json, latency::run(a).await?),
        Mode::Throughput(a) => (a.common.json, throughput::run(a).await?),
        Mode::Connections(a) => (a.common.json, connections::run(a).await?),
        Mode::Fanout(a) => (a.common.json, fanout::run(a).await?),
        Mode::SigninFlood(a) => (a.common.json, flood::run(a).await?),
        Mode::Typing(a) => (a.common.json, typing::run(a).await?),
    };
    if json {
        println!("{}", serde_json::to_string(&report.to_json())?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}
