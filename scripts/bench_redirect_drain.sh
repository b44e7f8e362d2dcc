#!/usr/bin/env bash
# The redirect's p99 on PostgreSQL with the click journal's drain in its variants, back to back
# in one run (BENCHMARKS.md "The drain yields to the redirects"). Usage:
#   scripts/bench_redirect_drain.sh [ROUNDS] [RATE]
# ROUNDS (default 2): how many times the whole sequence of variants runs, alternating, so that a
# change of the machine's load hits every variant alike. RATE (default 10000): the offered load
# of the rate-limited runs, requests/s over 64 connections.
# Builds the release benchmark (scratch path .build-release), starts a throw-away PostgreSQL
# (scripts/setup/postgres.sh) unless SMSSTATS_TEST_POSTGRES_URL is set, and prints one line per
# measured wrk run plus `uptime` before each variant. Needs wrk (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
RATE=${2:-10000}
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
swift build -c release --scratch-path .build-release --product smsstats-bench >&2
# shellcheck source=/dev/null
source scripts/setup/postgres.sh
[ -n "${SMSSTATS_TEST_POSTGRES_URL:-}" ] || { echo "no PostgreSQL" >&2; exit 1; }
B=.build-release/release/smsstats-bench
common=(redirect --connections 64 --threads 2 --duration 10 --rounds 1 --warmup 3)
run() {
  local name=$1
  shift
  echo "=== $name  ($(date -u +%T), $(uptime | sed 's/.*load/load/'))"
  "$B" "${common[@]}" "$@" 2>&1 | grep -E '^(drain|offered|warm-up|round|every)' | sed 's/^/    /' || echo "    (failed)"
}
for r in $(seq 1 "$ROUNDS"); do
  echo "##### sequence $r of $ROUNDS"
  run "PostgreSQL, drain on its own thread at nice 10 (default)" --database "$SMSSTATS_TEST_POSTGRES_URL"
  run "PostgreSQL, drain on the shared pool (before)" --database "$SMSSTATS_TEST_POSTGRES_URL" --drain-nice=-1
  run "PostgreSQL, drain held during wrk (the request path alone)" --database "$SMSSTATS_TEST_POSTGRES_URL" --no-drain
  run "PostgreSQL, synchronous grouped writes (no journal)" --database "$SMSSTATS_TEST_POSTGRES_URL" --no-journal
  run "SQLite, drain on its own thread at nice 10 (default)"
  run "PostgreSQL at $RATE req/s offered, drain on its own thread at nice 10" --database "$SMSSTATS_TEST_POSTGRES_URL" --rate "$RATE"
  run "PostgreSQL at $RATE req/s offered, drain on the shared pool (before)" --database "$SMSSTATS_TEST_POSTGRES_URL" --rate "$RATE" --drain-nice=-1
done
echo "=== end ($(date -u +%T), $(uptime | sed 's/.*load/load/'))"
