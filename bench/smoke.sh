#!/usr/bin/env bash
# Smoke run of every parley-bench mode with tiny numbers, so the tool keeps working.
#
#   bench/smoke.sh http://127.0.0.1:8080
#   PARLEY_URL=http://127.0.0.1:8080 bench/smoke.sh    (how `parley-stack exec` runs it)
#
# Needs a running gateway (and worker) at the URL, with the load limits of scripts/lib.sh
# (export_load_limits): it registers ~50 users from one address. Takes
# some 15-40 s, most of it registering ~50 users (Argon2id). Exits non-zero when a mode
# fails to run or measures nothing (no delivery, no stream opened); never on the figures
# themselves (no timing assertions). The JSON report of each mode is echoed.
#
# Environment:
#   PARLEY_BENCH   the parley-bench binary to run (default: build the debug one with cargo)
set -euo pipefail

URL=${1:-${PARLEY_URL:?usage: bench/smoke.sh URL (or PARLEY_URL=URL bench/smoke.sh)}}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

BIN=${PARLEY_BENCH:-}
if [ -z "$BIN" ]; then
  (cd "$ROOT" && cargo build --quiet -p parley-bench)
  BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/parley-bench
fi

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

# run NAME ARGS...: runs one mode with --json and checks that it measured something.
run() {
  local name=$1 out
  shift
  echo "smoke: $name" >&2
  out=$("$BIN" "$name" --url "$URL" --json "$@") || fail "$name exited with $?"
  echo "$out"
  [[ $out =~ \"delivered\":([0-9]+) ]] || fail "$name printed no JSON report"
  [ "${BASH_REMATCH[1]}" -gt 0 ] || fail "$name delivered nothing"
}

"$BIN" --help >/dev/null || fail "--help"
run latency --rooms 3 --members 3 --rate 20 --seconds 2 --warmup 0.5 --grace 5
run throughput --rooms 2 --senders 10 --messages 100 --concurrency 8 --grace 10
run throughput --rooms 2 --senders 4 --messages 40 --rate 20 --grace 10
run fanout --members 20 --messages 10 --rate 10 --warmup 1 --grace 5
run connections --streams 50 --streams-per-user 10 --settle 0.5 --hold 1
run signin-flood --attempts 20 --user-logins 2
run typing --rooms 2 --members 3 --interval 2.5 --seconds 3 --idle 0.5
echo "smoke: every mode ran" >&2
