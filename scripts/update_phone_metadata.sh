#!/usr/bin/env bash
# Refreshes Sources/SMSCore/Resources/phone-metadata.json (the numbering plans PhoneNumber
# validates against) from Google's libphonenumber metadata (Apache-2.0), as shipped by the PyPI
# package `phonenumbers` (same version numbers as libphonenumber; its data is generated from
# libphonenumber's resources/PhoneNumberMetadata.xml). Also pins the same `phonenumbers` version in
# scripts/requirements-tools.txt, so the CI corpus test compares against the very same metadata.
# Usage: scripts/update_phone_metadata.sh [VERSION]   (default: the newest on PyPI)
# Then run `swift test --filter PhoneNumber` (with SMSSTATS_TEST_PYTHON set, see
# scripts/setup/python.sh) and commit the JSON, the notice and the requirements file together.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-}"
spec="phonenumbers${version:+==$version}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary :all: "$spec" -d "$tmp"
wheel="$(ls "$tmp"/phonenumbers-*.whl)"
got="$(basename "$wheel" | sed -E 's/phonenumbers-([^-]+)-.*/\1/')"
resources=Sources/SMSCore/Resources
PYTHONPATH="$wheel" python3 scripts/phone_metadata_json.py "$resources/phone-metadata.json"
python3 - "$wheel" "$resources/PHONE-METADATA-LICENSE.txt" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith("LICENSE") and ".dist-info/" in n)
    text = z.read(name)
assert b"Apache License" in text and b"Version 2.0" in text, "unexpected licence"
open(sys.argv[2], "wb").write(text)
PY
sum="$(sha256sum "$resources/phone-metadata.json" | cut -d' ' -f1)"
notice="$resources/PHONE-METADATA.md"
sed -i -E "s/version \*\*[^*]+\*\*/version **$got**/; s/\`[0-9a-f]{64}\`/\`$sum\`/" "$notice"
sed -i -E "s/^phonenumbers([=<>~!].*)?$/phonenumbers==$got/" scripts/requirements-tools.txt
echo "phonenumbers $got, sha256 $sum"
