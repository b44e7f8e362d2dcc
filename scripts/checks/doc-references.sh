#!/usr/bin/env bash
# Every citation of the contract (`docs/DOMAIN.md` §N "heading", `docs/PITFALLS.md` #N) in Sources/,
# Tests/, Benchmarks/, scripts/ and the top-level docs resolves to a section, heading, quoted phrase
# or numbered item that exists; old references to files outside the repository are refused.
# The checker first proves on its own samples that it refuses broken references.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 scripts/check_doc_references.py --self-test
python3 scripts/check_doc_references.py
