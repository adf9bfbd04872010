//! Budgets that keep rooms small: no production Rust file over 300 lines. (Functions over
//! 60 lines are refused by clippy's `too_many_lines`, set in `clippy.toml` and enabled at
//! the root of each production crate.)

use std::path::{Path, PathBuf};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
/// The production crates: everything but the tests and the benchmark tool.
const PRODUCTION: [&str; 6] = ["schema", "db", "bus", "telemetry", "gateway", "worker"];
const MAX_FILE_LINES: usize = 300;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_production_rust_file_is_over_300_lines() {
    let mut files = Vec::new();
    for krate in PRODUCTION {
        rust_files(&Path::new(REPO).join(krate).join("src"), &mut files);
    }
    assert!(files.len() > 50, "found only {} files", files.len());
    let too_long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).ok()?.lines().count();
            (lines > MAX_FILE_LINES).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(
        too_long.is_empty(),
        "over {MAX_FILE_LINES} lines: {too_long:#?}"
    );
}

#[test]
fn every_production_crate_root_refuses_long_functions() {
    let roots = PRODUCTION
        .iter()
        .flat_map(|k| ["lib.rs", "main.rs"].map(|f| Path::new(REPO).join(k).join("src").join(f)));
    let missing: Vec<String> = roots
        .filter(|p| p.exists())
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            !text.contains("#![warn(clippy::too_many_lines)]")
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(missing.is_empty(), "without the lint: {missing:#?}");
    let config = std::fs::read_to_string(Path::new(REPO).join("clippy.toml")).unwrap_or_default();
    assert!(config.contains("too-many-lines-threshold = 60"), "{config}");
}
