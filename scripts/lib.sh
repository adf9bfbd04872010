# shellcheck shell=bash
# Helpers the scripts share; sourced, never run. Set SCRIPT (the name messages start with)
# before sourcing. Defines ROOT (the checkout) and TARGET (cargo's target directory,
# honouring a relative CARGO_TARGET_DIR like cargo does). scripts/services keeps its own
# copies, so it stays one file that runs on its own.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
SCRIPT=${SCRIPT:-$(basename "$0")}

say() { echo "$SCRIPT: $*" >&2; }
die() { echo "$SCRIPT: error: $*" >&2; exit 1; }

# Runs a command as root: directly, or through sudo; fails when neither is possible.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    return 1
  fi
}

pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# Puts cargo on PATH (rustup's env file when it is not there yet), or dies.
use_cargo() {
  if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
  fi
  command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs)"
}

# Exports DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS, starting the services when needed.
services_up() {
  local exports
  exports=$("$ROOT/scripts/services" up) || die "scripts/services up failed"
  eval "$exports"
}

# Dies unless `cargo build --bins` has built these binaries.
need_bins() {
  local bin
  for bin in "$@"; do
    [ -x "$TARGET/debug/$bin" ] || die "$TARGET/debug/$bin is missing: build it first with cargo build --bins"
  done
}
