//! Freshness: messages added at a steady rate to the built index while a committer thread
//! commits every `interval`; each is timed from the call that adds it until a searcher
//! sees it. One thread adds, in order, so a commit makes a prefix of them visible and a
//! searcher's document count says which.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{doc, Index, IndexWriter, ReloadPolicy, Term};

use crate::corpus::fold;
use crate::measure::{cpu_secs, p50_p99, round, thread_cpu_secs};
use crate::Fields;

pub struct Setup {
    pub interval: Duration,
    /// true: the committer reloads the reader right after each commit (a server holding
    /// writer and reader in one process); false: OnCommitWithDelay, Tantivy's watcher of
    /// meta.json (it polls every 500 ms).
    pub reload_after_commit: bool,
    pub rate: f64,
    pub seconds: f64,
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    index: &Index,
    f: &Fields,
    setup: &Setup,
    threads: usize,
    heap: usize,
    first_id: u64,
) -> tantivy::Result<serde_json::Value> {
    let writer: IndexWriter = index.writer_with_num_threads(threads, heap)?;
    let writer = Arc::new(RwLock::new(writer));
    let policy = if setup.reload_after_commit {
        ReloadPolicy::Manual
    } else {
        ReloadPolicy::OnCommitWithDelay
    };
    let reader = index.reader_builder().reload_policy(policy).try_into()?;
    let base = reader.searcher().num_docs();
    let probe = TermQuery::new(
        Term::from_field_text(f.text, "지연"),
        IndexRecordOption::Basic,
    );
    let probes_before = reader.searcher().search(&probe, &Count)?;
    let n = (setup.rate * setup.seconds) as usize;
    let stop = Arc::new(AtomicBool::new(false));

    let committer = {
        let (writer, reader, stop, setup_interval) =
            (writer.clone(), reader.clone(), stop.clone(), setup.interval);
        let reload = setup.reload_after_commit;
        thread::spawn(move || -> tantivy::Result<()> {
            loop {
                let done = stop.load(Ordering::SeqCst);
                thread::sleep(setup_interval);
                writer.write().expect("writer lock").commit()?;
                if reload {
                    reader.reload()?;
                }
                if done {
                    return Ok(());
                }
            }
        })
    };
    let watcher = {
        let reader = reader.clone();
        thread::spawn(move || {
            let mut seen: Vec<Instant> = Vec::with_capacity(n);
            let deadline = Instant::now() + Duration::from_secs_f64(n as f64 / 100.0 + 60.0);
            while seen.len() < n && Instant::now() < deadline {
                let visible = (reader.searcher().num_docs() - base) as usize;
                let now = Instant::now();
                while seen.len() < visible.min(n) {
                    seen.push(now);
                }
                thread::sleep(Duration::from_millis(1));
            }
            (seen, thread_cpu_secs())
        })
    };

    let cpu0 = cpu_secs();
    let start = Instant::now();
    let mut added = Vec::with_capacity(n);
    for i in 0..n {
        let due = start + Duration::from_secs_f64(i as f64 / setup.rate);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        let body = format!("lag probe {i} 지연{i}");
        added.push(Instant::now());
        writer.read().expect("writer lock").add_document(doc!(
            f.message_id => first_id + i as u64,
            f.room => (i % 20) as u64 + 1,
            f.created_at => 4_000_000_000i64 + i as i64,
            f.text => fold(&body),
        ))?;
    }
    let sent_s = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::SeqCst);
    let (seen, watcher_cpu) = watcher.join().expect("watcher");
    committer.join().expect("committer")?;

    let mut lags: Vec<f64> = seen
        .iter()
        .zip(&added)
        .map(|(s, a)| s.duration_since(*a).as_secs_f64() * 1000.0)
        .collect();
    let (p50, p99) = p50_p99(&mut lags);
    reader.reload()?;
    let searcher = reader.searcher();
    let probes = searcher.search(&probe, &Count)? - probes_before;
    Arc::try_unwrap(writer)
        .ok()
        .expect("one writer")
        .into_inner()
        .expect("lock")
        .wait_merging_threads()?;
    // The adding loop, the committer and the writer's threads with their merges; not the
    // watcher's polling.
    let cpu = cpu_secs() - cpu0 - watcher_cpu;
    Ok(serde_json::json!({
        "commit_every_ms": setup.interval.as_millis() as u64,
        "reload": if setup.reload_after_commit { "manual, right after each commit" } else { "OnCommitWithDelay" },
        "offered_per_s": setup.rate, "sent": n, "achieved_per_s": round(n as f64 / sent_s, 1),
        "visible": lags.len(), "probe_docs_found_by_search": probes,
        "lag_p50_ms": round(p50, 1), "lag_p99_ms": round(p99, 1),
        "lag_max_ms": round(lags.last().copied().unwrap_or(0.0), 1),
        "cpu_s_per_1000_without_watcher": round(cpu / n as f64 * 1000.0, 4),
        "segments_after": searcher.segment_readers().len(),
    }))
}
