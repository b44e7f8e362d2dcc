#!/usr/bin/env bash
# The whole test suite: installs and starts what the tests need, then runs `swift test`.
# Usage: scripts/test.sh [extra swift test args]
set -euo pipefail
cd "$(dirname "$0")/.."
export SMSSTATS_TEST_OUTPUT="${SMSSTATS_TEST_OUTPUT:-$PWD/test-output}"
mkdir -p "$SMSSTATS_TEST_OUTPUT"
# Optional services (each script is a no-op when the service is already there, and leaves the
# matching tests disabled when it cannot be installed).
for setup in scripts/setup/*.sh; do
  [ -e "$setup" ] || continue
  # shellcheck disable=SC1090
  source "$setup" || echo "note: $setup failed; the tests that need it are skipped" >&2
done
swift build --build-tests
swift test --skip-build "$@"
