//! The wait for a gateway's `GET /readyz` to answer 200 (Kafka and Postgres reachable, the
//! events consumer assigned). HTTP gives no push for this, so it asks every 100 ms; each
//! time it also checks the processes it watches, and fails with the log tail of the first
//! one that exited, instead of waiting out the timeout.

use crate::process::{log_tail, Proc};
use crate::KitError;
use std::time::{Duration, Instant};

const EVERY: Duration = Duration::from_millis(100);
const TAIL_LINES: usize = 40;

/// Waits until `url/readyz` answers 200, for at most `within`. `watch` are the processes
/// that must stay up meanwhile (empty for an in-process gateway); the last one's log is
/// shown on a timeout.
pub async fn wait_ready(
    url: &str,
    within: Duration,
    watch: &mut [&mut Proc],
) -> Result<(), KitError> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + within;
    loop {
        for proc in watch.iter_mut() {
            if let Some(status) = proc.exited_by_itself() {
                return Err(KitError::Exited {
                    name: proc.name().to_owned(),
                    status,
                    log: proc.log().to_path_buf(),
                    tail: proc.tail(TAIL_LINES),
                });
            }
        }
        let answer = http
            .get(format!("{url}/readyz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if answer.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let log = watch.last().map(|p| p.log().to_path_buf());
            return Err(KitError::NotReady {
                url: url.to_owned(),
                within,
                log: log
                    .as_ref()
                    .map_or_else(|| "(in-process)".into(), |l| l.display().to_string()),
                tail: log.map_or_else(String::new, |l| log_tail(&l, TAIL_LINES)),
            });
        }
        tokio::time::sleep(EVERY).await;
    }
}
