#!/usr/bin/env bash
# The API contract fuzzed: starts the built server (.build/debug/smsstats serve) on a throw-away
# SQLite database on a free loopback port, then runs schemathesis against its /openapi.json with
# every operation, every check (--checks all), the stateful phase (links in the spec) and a bounded
# number of examples. Fails on any 5xx, crash, or response that violates the spec (status code,
# content type, schema, headers), and on data the spec calls invalid that the server accepts (or
# the reverse). Prints `schemathesis: N passed, M failed (…)` as its closing line (N, M: the
# operation × phase results of the JUnit report). One worker: CPython 3.11's ast.parse is not
# thread-safe ("AST constructor recursion depth mismatch" inside hypothesis with two workers).
# Operations that refuse schema-valid data for reasons a schema cannot state are listed, with the
# reasons, in scripts/checks/schemathesis.toml.
# Run by scripts/test.sh after the build; standalone: `source scripts/setup/python.sh` first.
# Tunables: SMSSTATS_SCHEMATHESIS_EXAMPLES (per operation, default 40), SMSSTATS_SCHEMATHESIS_TIMEOUT
# (seconds for the whole run, default 240).
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${SMSSTATS_TEST_OUTPUT:-$PWD/test-output}/schemathesis"
mkdir -p "$out"
bin=.build/debug/smsstats
if [ ! -x "$bin" ]; then
  echo "schemathesis: $bin is not built (run swift build first)" >&2
  echo "schemathesis: 0 passed, 1 failed"
  exit 1
fi
st="$(dirname "${SMSSTATS_TEST_PYTHON:-}")/schemathesis"
if [ -z "${SMSSTATS_TEST_PYTHON:-}" ] || [ ! -x "$st" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "schemathesis: not installed (scripts/setup/python.sh failed); required under CI" >&2
    echo "schemathesis: 0 passed, 1 failed"
    exit 1
  fi
  echo "schemathesis: skipped (no tool venv; source scripts/setup/python.sh)" >&2
  exit 0
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$SMSSTATS_TEST_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
token="schemathesis-$(date +%s)-$RANDOM"
SMSSTATS_ADMIN_TOKEN="$token" SMSSTATS_EXIT_WITH_PARENT=$$ "$bin" serve --host 127.0.0.1 --port "$port" \
  --database "$work/contract.sqlite" --public-url "http://127.0.0.1:$port" --log-level error \
  >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.2
done
if ! curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
  echo "schemathesis: the server did not start (see $out/server.log)" >&2
  echo "schemathesis: 0 passed, 1 failed"
  exit 1
fi

status=0
# Run from the temporary directory: schemathesis keeps its crash cache in ./.schemathesis.
config="$PWD/scripts/checks/schemathesis.toml"
(cd "$work" && timeout --signal=INT "${SMSSTATS_SCHEMATHESIS_TIMEOUT:-240}" \
  "$st" --config-file "$config" run "http://127.0.0.1:$port/openapi.json" \
  --checks all --phases examples,coverage,fuzzing,stateful \
  --max-examples "${SMSSTATS_SCHEMATHESIS_EXAMPLES:-40}" --seed 12 --workers 1 --no-color \
  --header "Authorization: Bearer $token" \
  --report junit --report-junit-path "$out/junit.xml") >"$out/run.log" 2>&1 || status=$?
tail -n 60 "$out/run.log"
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "schemathesis: the server died during the run (see $out/server.log)" >&2
  status=1
fi
# The closing line: test cases by operation result, from the JUnit report.
read -r passed failed < <("$SMSSTATS_TEST_PYTHON" - "$out/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 1); sys.exit()
cases = root.iter("testcase")
p = f = 0
for c in cases:
    if c.find("failure") is not None or c.find("error") is not None: f += 1
    else: p += 1
print(p, f)
PY
)
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
cases=$(grep -oE '[0-9]+ generated' "$out/run.log" | tail -1 | grep -oE '[0-9]+' || echo "?")
echo "schemathesis: $passed passed, $failed failed ($cases generated test cases; log: $out/run.log)"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
