//! Tantivy on the corpus and queries of scripts/search-bench (#16): builds the index of a
//! million messages, checks every query's answer against a brute-force scan, times the
//! queries in process, then the freshness of new messages. Prints one JSON report.
//!
//!     CARGO_TARGET_DIR=/work/tantivy-target cargo run --release -- [--messages 1000000]
//!         [--rooms 100] [--repeat 40] [--threads 2] [--heap-mb 400] [--index DIR]

mod corpus;
mod fresh;
mod grams;
mod measure;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED,
};
use tantivy::{doc, Index, IndexWriter, Order, ReloadPolicy, Searcher};

use corpus::{fold, generate, matches, parse, QUERIES};
use measure::{cpu_secs, dir_bytes, p50_p99, round};

pub struct Fields {
    pub message_id: Field,
    pub room: Field,
    pub created_at: Field,
    pub text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("grams")
            .set_fieldnorms(false)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        message_id: b.add_u64_field("message_id", FAST | STORED),
        room: b.add_u64_field("room_id", INDEXED),
        created_at: b.add_i64_field("created_at", FAST),
        text: b.add_text_field("folded", text),
    };
    (b.build(), fields)
}

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

/// Parley's search: the phrase pass, then the terms pass, each newest first; the ids
/// with their created_at and whether they hold the phrase.
fn search(
    s: &Searcher,
    f: &Fields,
    rooms: Option<&[u64]>,
    q: &str,
    limit: usize,
) -> tantivy::Result<Vec<(u64, i64, bool)>> {
    let parsed = parse(q);
    let mut hits = Vec::new();
    for (pass, query) in grams::passes(f.text, f.room, rooms, &parsed)
        .iter()
        .enumerate()
    {
        let left = limit - hits.len();
        if left == 0 {
            break;
        }
        let top = TopDocs::with_limit(left).order_by_fast_field::<i64>("created_at", Order::Desc);
        for (t, addr) in s.search(query.as_ref(), &top)? {
            let ids = s
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("message_id")?;
            hits.push((
                ids.first(addr.doc_id).unwrap_or(0),
                t.unwrap_or(0),
                pass == 0,
            ));
        }
    }
    Ok(hits)
}

fn main() -> tantivy::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let messages: usize = arg(&args, "--messages", "1000000")
        .parse()
        .expect("--messages");
    let rooms_n: usize = arg(&args, "--rooms", "100").parse().expect("--rooms");
    let repeat: usize = arg(&args, "--repeat", "40").parse().expect("--repeat");
    let threads: usize = arg(&args, "--threads", "2").parse().expect("--threads");
    let heap = arg(&args, "--heap-mb", "400")
        .parse::<usize>()
        .expect("--heap-mb")
        * 1_000_000;
    let dir = PathBuf::from(arg(&args, "--index", "/tmp/tantivy-compare-index"));

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let corpus = generate(messages, rooms_n, now);
    let rooms: Vec<u64> = (1..=rooms_n as u64).collect();
    eprintln!("corpus: {} messages", corpus.len());

    // Build: fold and add every message, commit, then wait for the merges.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let (schema, f) = schema();
    let index = Index::create_in_dir(&dir, schema)?;
    index.tokenizers().register("grams", grams::Grams);
    let (cpu0, t0) = (cpu_secs(), Instant::now());
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, heap)?;
    for m in &corpus {
        writer.add_document(doc!(
            f.message_id => m.id,
            f.room => m.room,
            f.created_at => m.created_at,
            f.text => fold(&m.body),
        ))?;
    }
    writer.commit()?;
    let committed_s = t0.elapsed().as_secs_f64();
    writer.wait_merging_threads()?;
    let (build_s, build_cpu) = (t0.elapsed().as_secs_f64(), cpu_secs() - cpu0);
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let build = serde_json::json!({
        "wall_s_to_commit": round(committed_s, 1),
        "wall_s_with_merges": round(build_s, 1),
        "messages_per_s": (messages as f64 / build_s).round(),
        "cpu_s": round(build_cpu, 1),
        "cpu_s_per_1000": round(build_cpu / messages as f64 * 1000.0, 4),
        "index_mb": round(dir_bytes(&dir) as f64 / 1e6, 1),
        "segments": searcher.segment_readers().len(),
    });
    eprintln!("build: {build}");

    // Check: every query's two passes against a scan of the folded corpus.
    let folded: Vec<String> = corpus.iter().map(|m| fold(&m.body)).collect();
    let mut checks = serde_json::Map::new();
    for q in QUERIES {
        let parsed = parse(q);
        let (mut phrase, mut others, mut expect_phrase, mut expect_other) =
            (0u64, 0u64, vec![], vec![]);
        for (m, text) in corpus.iter().zip(&folded).rev() {
            match matches(text, &parsed) {
                (true, true) => {
                    phrase += 1;
                    expect_phrase.push(m.id)
                }
                (true, false) => {
                    others += 1;
                    expect_other.push(m.id)
                }
                _ => {}
            }
        }
        let passes = grams::passes(f.text, f.room, Some(&rooms), &parsed);
        let counted: Vec<u64> = passes
            .iter()
            .map(|p| searcher.search(p.as_ref(), &Count).map(|c| c as u64))
            .collect::<tantivy::Result<_>>()?;
        let expected_counts = if parsed.terms.len() > 1 {
            vec![phrase, others]
        } else {
            vec![phrase]
        };
        let mut expected: Vec<u64> = expect_phrase.into_iter().take(20).collect();
        if parsed.terms.len() > 1 {
            let left = 20 - expected.len();
            expected.extend(expect_other.into_iter().take(left));
        }
        let got: Vec<u64> = search(&searcher, &f, Some(&rooms), q, 20)?
            .into_iter()
            .map(|h| h.0)
            .collect();
        assert_eq!(
            counted, expected_counts,
            "{q}: match counts differ from the scan"
        );
        assert_eq!(got, expected, "{q}: top 20 differ from the scan");
        checks.insert(
            q.to_owned(),
            serde_json::json!({"matches_per_pass": counted, "results": got.len()}),
        );
    }
    eprintln!("checks: every query's counts and top 20 equal a brute-force scan");

    let time_queries =
        |searcher: &Searcher, rooms: Option<&[u64]>| -> tantivy::Result<serde_json::Value> {
            let mut out = serde_json::Map::new();
            for q in QUERIES {
                let mut samples = Vec::with_capacity(repeat);
                for run in 0..3 + repeat {
                    let t = Instant::now();
                    let hits = search(searcher, &f, rooms, q, 20)?;
                    std::hint::black_box(hits);
                    if run >= 3 {
                        samples.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                }
                let (p50, p99) = p50_p99(&mut samples);
                out.insert(
                    q.to_owned(),
                    serde_json::json!({"p50_ms": round(p50, 2), "p99_ms": round(p99, 2)}),
                );
            }
            Ok(out.into())
        };
    let queries = time_queries(&searcher, Some(&rooms))?;
    eprintln!("queries: {queries}");
    let unfiltered = time_queries(&searcher, None)?;
    eprintln!("queries without the membership filter: {unfiltered}");

    let mut freshness = Vec::new();
    let mut next_id = messages as u64 + 1;
    for (ms, reload) in [
        (1000, true),
        (500, true),
        (200, true),
        (100, true),
        (200, false),
    ] {
        let setup = fresh::Setup {
            interval: Duration::from_millis(ms),
            reload_after_commit: reload,
            rate: 500.0,
            seconds: 5.0,
        };
        let r = fresh::run(&index, &f, &setup, threads, heap, next_id)?;
        next_id += 2500;
        eprintln!("freshness: {r}");
        freshness.push(r);
    }
    reader.reload()?;
    let searcher = reader.searcher();
    let after = serde_json::json!({
        "segments": searcher.segment_readers().len(),
        "index_mb": round(dir_bytes(&dir) as f64 / 1e6, 1),
        "queries": time_queries(&searcher, Some(&rooms))?,
    });

    let report = serde_json::json!({
        "tantivy": "0.27", "messages": messages, "rooms": rooms_n, "repeat": repeat,
        "writer_threads": threads, "writer_heap_mb": heap / 1_000_000,
        "build": build, "checks": checks, "queries": queries,
        "queries_without_membership_filter": unfiltered,
        "freshness": freshness, "after_live_adds": after,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
    Ok(())
}
