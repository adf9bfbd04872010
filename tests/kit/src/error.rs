//! The kit's one error type. Every variant that concerns a process carries the tail of its
//! log, because that is what a reader of a failed test needs first.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum KitError {
    #[error("connecting to Postgres (is `scripts/services up` running?)")]
    Connect(#[source] diesel::ConnectionError),
    #[error("scripts/services {0} failed")]
    Services(String),
    #[error("a database statement failed")]
    Query(#[from] diesel::result::Error),
    #[error("DATABASE_URL has no database name to replace")]
    NoDatabaseName,
    #[error("{} is missing: run `cargo build --bins` first", path.display())]
    MissingBinary { path: PathBuf },
    #[error("{what}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("a blocking task failed")]
    Task(#[from] tokio::task::JoinError),
    #[error("{name} exited ({status}) before the gateway was ready; last lines of {}:\n{tail}", log.display())]
    Exited {
        name: String,
        status: String,
        log: PathBuf,
        tail: String,
    },
    #[error("{url}/readyz did not answer 200 within {within:?}; last lines of {log}:\n{tail}")]
    NotReady {
        url: String,
        within: Duration,
        log: String,
        tail: String,
    },
    #[error("{name} did not stop within {within:?} of SIGTERM, so it was killed")]
    StopTimeout { name: String, within: Duration },
    #[error("no gateway named {0}")]
    NoSuchGateway(String),
    #[error("unknown command {0:?} (stop-gateway NAME or start-gateway NAME)")]
    UnknownCommand(String),
}

impl KitError {
    /// An I/O error with what was being done.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}
