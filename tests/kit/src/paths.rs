//! Where things are in the checkout: the repository root, the target directory (honouring
//! `CARGO_TARGET_DIR`, relative to the root like cargo does), the debug binaries and
//! `static/`.

use std::path::{Path, PathBuf};

/// The repository root (this crate lives in `tests/kit`).
pub fn repo_root() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    dir.ancestors().nth(2).unwrap_or(dir).to_path_buf()
}

pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => repo_root().join(dir),
        None => repo_root().join("target"),
    }
}

/// Where `cargo build --bins` puts `worker` and `gateway`.
pub fn debug_bins() -> PathBuf {
    target_dir().join("debug")
}

/// The web client the gateways serve.
pub fn static_dir() -> PathBuf {
    repo_root().join("static")
}
