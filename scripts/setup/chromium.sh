# Headless Chromium (Debian's package) for the dashboard's browser test (Tests/SMSWebTests/Browser).
# Sourced by scripts/test.sh. Never fails the run: when Chromium is missing and cannot be installed
# (no root, no apt, no network to the package mirror), the browser test is skipped.
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "setup: installing chromium for the browser test (quiet)…" >&2
    { apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } \
      >/dev/null 2>&1 \
      || echo "note: chromium could not be installed; the browser test is skipped" >&2
  else
    echo "note: chromium not found and not installable here; the browser test is skipped" >&2
  fi
fi
true
