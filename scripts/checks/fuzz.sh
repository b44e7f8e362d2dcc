#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer with AddressSanitizer) of the parsers that read outside input:
# callback bodies and fields (the generic contract and the 7 dialects), the JSON reader, the
# profile CSV reader and the Mustache templates. The harness (Fuzz/, a package of its own) checks
# properties of each parser, not only that it returns; see Fuzz/Sources/SMSFuzz/*.swift.
#
# Builds Fuzz/ in .build-fuzz (never the main build), then runs each target for
# SMSSTATS_FUZZ_SECONDS seconds (default 24: two minutes for the five) from its corpus Fuzz/Corpus/<target>/ (read only; new
# inputs go to $SMSSTATS_TEST_OUTPUT/fuzz/<target>/corpus). A crash or violated property fails the
# check and prints the input, kept as $SMSSTATS_TEST_OUTPUT/fuzz/<target>/crash-<sha1>.
# Usage: scripts/checks/fuzz.sh [target...]   (targets: callback-json callback-fields json csv template)
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${SMSSTATS_TEST_OUTPUT:-$PWD/test-output}/fuzz"
seconds="${SMSSTATS_FUZZ_SECONDS:-24}"
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=(callback-json callback-fields json csv template); fi
mkdir -p "$out"
# The fuzz package resolves the same dependencies as the main one; start from the same versions.
if [ -f Package.resolved ] && [ ! -f Fuzz/Package.resolved ]; then cp Package.resolved Fuzz/Package.resolved; fi
build=(swift build --package-path Fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address)
started=$SECONDS
if ! "${build[@]}" >"$out/build.log" 2>&1; then
  tail -n 40 "$out/build.log"
  echo "fuzz: the fuzz target does not build (log: $out/build.log)"
  echo "fuzz: 0 passed, ${#targets[@]} failed"
  exit 1
fi
echo "fuzz: built in $((SECONDS - started)) s"
bin="$("${build[@]}" --show-bin-path)/smsstats-fuzz"

passed=0
failed=0
for target in "${targets[@]}"; do
  work="$out/$target"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  # SWIFT_BACKTRACE=enable=no: the Swift runtime's backtracer would hold the process on a trap;
  # libFuzzer prints the stack and saves the input itself. Leak checks are off: the Swift runtime's
  # caches look like leaks to LeakSanitizer.
  if SMSSTATS_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
    "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus" "Fuzz/Corpus/$target" >"$work/fuzz.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
    echo "fuzz: $target passed ($runs inputs in ${seconds} s)"
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "fuzz: $target FAILED (log: $work/fuzz.log)"
    grep -E "property violated|Fatal error|ERROR: AddressSanitizer|ERROR: libFuzzer|SUMMARY" "$work/fuzz.log" | head -n 5
    for input in "$work"/crash-* "$work"/timeout-* "$work"/oom-* "$work"/leak-*; do
      [ -e "$input" ] || continue
      echo "  input kept as $input ($(wc -c <"$input") bytes):"
      od -An -c "$input" | head -n 20
      echo "  replay: SMSSTATS_FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no $bin $input"
    done
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
