#!/usr/bin/env bash
# Browser tests of Parley's web client (static/): Debian's Chromium driven by
# playwright-core (from npm; no browser download) against a real worker, two gateways,
# Kafka and Postgres, started by `parley-stack serve` (tests/kit). Saves screenshots to
# target/screenshots/.
#
#   tests/browser/run.sh                 all steps of parley.test.mjs, people.test.mjs
#                                        (#14: typing, presence, invitations, blocks),
#                                        connections.test.mjs (#15: one stream shared by
#                                        the tabs, offline, /api/sync, reconnects),
#                                        search.test.mjs (#16: message search, opening a
#                                        result in its room's history) and
#                                        activity.test.mjs (Settings → Activity: my
#                                        sign-ins and security events);
#                                        node --test prints the summary
#   tests/browser/run.sh --test-name-pattern=polling    extra arguments go to node --test
#   tests/browser/run.sh activity.test.mjs              only these files (each starts its
#                                        own stack, so this saves the others' start-up)
#
# Needs the debug binaries (cargo build --bins) and DATABASE_URL plus
# KAFKA_BOOTSTRAP_SERVERS as `eval "$(scripts/services up)"` exports them; when those are
# not set, this script runs `scripts/services up` itself. Installs Debian's chromium and
# the Noto CJK and emoji fonts when missing (as root or through sudo), and the npm
# packages (npm ci) when node_modules is missing.
#
# Environment: PARLEY_CHROMIUM (default /usr/bin/chromium), CARGO_TARGET_DIR,
# PARLEY_KEEP_TEST_DB=1 keeps the run's database for a look afterwards.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SCRIPT=browser-tests
# shellcheck source=scripts/lib.sh
. "$HERE/../../scripts/lib.sh"
export PARLEY_CHROMIUM=${PARLEY_CHROMIUM:-/usr/bin/chromium}

# ---- Chromium and fonts from Debian -------------------------------------------------------
missing=()
[ -x "$PARLEY_CHROMIUM" ] || missing+=(chromium)
if command -v dpkg-query >/dev/null 2>&1; then
  # Korean and emoji glyphs for the screenshots.
  for p in fonts-noto-cjk fonts-noto-color-emoji; do pkg_installed "$p" || missing+=("$p"); done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} with apt-get"
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    [ -x "$PARLEY_CHROMIUM" ] || die "could not install chromium: run apt-get install -y chromium as root, or set PARLEY_CHROMIUM"
    say "warning: could not install ${missing[*]}; Korean or emoji may look wrong in screenshots"
  fi
fi
[ -x "$PARLEY_CHROMIUM" ] || die "$PARLEY_CHROMIUM not found (apt-get install -y chromium)"

# ---- Node and playwright-core -------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node not found (apt-get install -y nodejs npm)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
  die "node 18 or newer is needed (found $(node --version))"
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  say "npm ci"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $HERE"
fi

# ---- Services and binaries ----------------------------------------------------------------
if [ -z "${DATABASE_URL:-}" ] || [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  say "DATABASE_URL or KAFKA_BOOTSTRAP_SERVERS not set: starting them with scripts/services up"
  services_up
fi
# lib/system.mjs drives parley-stack serve (tests/kit), which starts the worker and gateways.
need_bins parley-stack worker gateway indexer audit

export PARLEY_ROOT=$ROOT CARGO_TARGET_DIR=$TARGET
cd "$HERE"
say "running the browser tests (screenshots: $TARGET/screenshots)"
# One file at a time: each starts its own stack (parley, people, connections, search, then
# activity). Arguments naming test files choose among them; the rest go to node --test.
files=() args=()
for arg in "$@"; do
  case $arg in
    *.test.mjs) files+=("${arg##*/}") ;;
    *) args+=("$arg") ;;
  esac
done
[ "${#files[@]}" -gt 0 ] || files=(parley.test.mjs people.test.mjs connections.test.mjs search.test.mjs activity.test.mjs)
exec node --test --test-concurrency=1 ${args[@]+"${args[@]}"} "${files[@]}"
