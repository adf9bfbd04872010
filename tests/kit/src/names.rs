//! Names of one run's resources: the database `parley_test_<unix secs>_<hex>` and the topic
//! prefix `test_<unix secs>_<hex>`. The stamp in a name lets any later run drop what an
//! aborted run left behind, once it is older than [`STALE_AFTER`].

use rand::Rng;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A run's database or topics older than this are dropped by the next run.
pub const STALE_AFTER: Duration = Duration::from_secs(3600);
/// How every run's database name starts.
pub const DATABASE_PREFIX: &str = "parley_test_";
/// How every run's topic prefix starts.
pub const TOPIC_PREFIX: &str = "test_";

/// The stamp and random suffix one run's database and topics share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunName {
    stamp: u64,
    suffix: String,
}

impl RunName {
    pub fn fresh() -> Self {
        Self {
            stamp: now_secs(),
            suffix: unique(""),
        }
    }

    pub fn database(&self) -> String {
        format!("{DATABASE_PREFIX}{}_{}", self.stamp, self.suffix)
    }

    pub fn topic_prefix(&self) -> String {
        format!("{TOPIC_PREFIX}{}_{}", self.stamp, self.suffix)
    }
}

/// A name nobody else in this run uses: `prefix` plus a random suffix.
pub fn unique(prefix: &str) -> String {
    let n: u32 = rand::thread_rng().gen_range(0..u32::MAX);
    format!("{prefix}{n:08x}")
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Whether `name` was made by a [`RunName`] behind `prefix` more than [`STALE_AFTER`] ago.
pub fn is_stale(name: &str, prefix: &str, now: u64) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.split('_').next())
        .and_then(|stamp| stamp.parse::<u64>().ok())
        .is_some_and(|stamp| stamp < now.saturating_sub(STALE_AFTER.as_secs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_name_is_stale_only_after_an_hour() {
        let run = RunName {
            stamp: 10_000,
            suffix: "00ab".into(),
        };
        let db = run.database();
        assert_eq!(db, "parley_test_10000_00ab");
        assert!(!is_stale(&db, DATABASE_PREFIX, 10_000 + 3599));
        assert!(is_stale(&db, DATABASE_PREFIX, 10_000 + 3601));
        assert!(is_stale(&run.topic_prefix(), TOPIC_PREFIX, 20_000));
    }

    #[test]
    fn names_of_other_shapes_are_never_stale() {
        assert!(!is_stale("parley", DATABASE_PREFIX, u64::MAX));
        assert!(!is_stale("parley_test_x_1", DATABASE_PREFIX, u64::MAX));
        assert!(!is_stale("prod.commands", TOPIC_PREFIX, u64::MAX));
    }
}
