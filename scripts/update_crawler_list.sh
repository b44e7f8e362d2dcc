#!/usr/bin/env bash
# Refreshes Sources/SMSCore/Resources/crawler-user-agents.json from the PyPI package
# `crawler-user-agents` (MIT, github.com/monperrus/crawler-user-agents).
# Usage: scripts/update_crawler_list.sh [VERSION]   (default: the newest on PyPI)
# Then run `swift test --filter BotDetector` and commit the JSON with the updated NOTICE lines.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-}"
spec="crawler-user-agents${version:+==$version}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps "$spec" -d "$tmp"
wheel="$(ls "$tmp"/crawler_user_agents-*.whl)"
got="$(basename "$wheel" | sed -E 's/crawler_user_agents-([^-]+)-.*/\1/')"
python3 - "$wheel" <<'PY'
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    data = z.read("crawleruseragents/crawler-user-agents.json")
entries = json.loads(data)
assert isinstance(entries, list) and all("pattern" in e and "instances" in e for e in entries), "unexpected schema"
open("Sources/SMSCore/Resources/crawler-user-agents.json", "wb").write(data)
print(f"{len(entries)} patterns")
PY
sum="$(sha256sum Sources/SMSCore/Resources/crawler-user-agents.json | cut -d' ' -f1)"
notice=Sources/SMSCore/Resources/CRAWLER-USER-AGENTS.md
sed -i -E "s/version \*\*[^*]+\*\*/version **$got**/; s/\`[0-9a-f]{64}\`/\`$sum\`/" "$notice"
echo "crawler-user-agents $got, sha256 $sum"
