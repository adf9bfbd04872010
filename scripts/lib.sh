# shellcheck shell=bash
# Helpers the scripts share (scripts/*, .ci/run, tests/browser/run.sh); sourced, never run.
# Set SCRIPT (the name messages start with) before sourcing. Defines ROOT (the checkout)
# and TARGET (cargo's target directory, honouring a relative CARGO_TARGET_DIR like cargo
# does). APT_LOG, when set, is where apt_install writes apt-get's output.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
SCRIPT=${SCRIPT:-$(basename "$0")}

say() { echo "$SCRIPT: $*" >&2; }
die() { echo "$SCRIPT: error: $*" >&2; exit 1; }

# Prints the script's usage: its comment block from line 2 up to `set -euo pipefail`.
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
}

# Prints the last $2 (default 25) lines of the log file $1 to stderr, for failure messages.
show_tail() {
  [ -s "$1" ] || return 0
  echo "---- last lines of $1 ----" >&2
  tail -n "${2:-25}" "$1" >&2
  echo "----" >&2
}

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

APT_UPDATED=
# Installs the Debian packages given that are missing (as root or through sudo, without
# questions); nothing happens when all are there. Dies when that fails: a caller that can
# do without them runs it in a subshell, `if ! (apt_install ...); then`.
apt_install() {
  local missing=() p seed='' rc=0 apt_log=${APT_LOG:-$ROOT/.local/apt.log}
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -gt 0 ] || return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "missing packages ${missing[*]} and no apt-get here: install them by hand"
  [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1 ||
    die "missing packages ${missing[*]}: run as root or install sudo to install them"
  mkdir -p "$(dirname "$apt_log")"
  say "installing ${missing[*]} with apt-get (log: $apt_log)"
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update </dev/null >"$apt_log" 2>&1 || { show_tail "$apt_log"; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  # Debian's postgresql package creates and starts a system cluster "main" on port 5432,
  # which would take scripts/services' port. Ask postgresql-common not to create it (our
  # cluster lives in .local/postgres); the drop-in goes again once the packages are in.
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    seed=/etc/postgresql-common/createcluster.d/99-parley-no-main-cluster.conf
    { as_root mkdir -p "${seed%/*}" && echo "create_main_cluster = off" | as_root tee "$seed" >/dev/null; } ||
      die "could not write $seed"
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}" </dev/null >>"$apt_log" 2>&1 || rc=$?
  if [ -n "$seed" ]; then
    as_root rm -f "$seed" || true
    as_root rmdir "${seed%/*}" 2>/dev/null || true
  fi
  [ "$rc" -eq 0 ] || { show_tail "$apt_log"; die "apt-get install ${missing[*]} failed"; }
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
# Raises the gateway's per-user, per-address and sign-in limits far above any load run:
# benchmarks and smoke runs register thousands of users and open thousands of streams from
# one loopback address. (The limits' defaults are measured by `parley-bench signin-flood`.)
export_load_limits() {
  export PARLEY_SEND_RATE=100000 PARLEY_SEND_BURST=100000 \
    PARLEY_WRITE_RATE=100000 PARLEY_WRITE_BURST=100000 \
    PARLEY_AUTH_ADDR_RATE=100000 PARLEY_AUTH_ADDR_BURST=100000 \
    PARLEY_AUTH_ACCOUNT_RATE=100000 PARLEY_AUTH_ACCOUNT_BURST=100000 \
    PARLEY_HASH_QUEUE=100000 PARLEY_HASH_PER_ADDRESS=100000 \
    PARLEY_STREAMS_PER_ADDRESS=1000000
}

need_bins() {
  local bin
  for bin in "$@"; do
    [ -x "$TARGET/debug/$bin" ] || die "$TARGET/debug/$bin is missing: build it first with cargo build --bins"
  done
}
