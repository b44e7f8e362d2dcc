# Sourced by scripts/test.sh: makes Debian's Kannel (bearerbox, smsbox) available for the Kannel
# integration test (Tests/SMSWebTests/KannelIntegrationTests.swift). Installs it quietly with
# apt-get when it is missing; never fails the run: without it the test is skipped.
# The SMPP SMSC simulator and configs are in scripts/kannel (or $SMSSTATS_KANNEL_TOOLS).
kannel_setup() {
  if [ -x /usr/sbin/bearerbox ] && [ -x /usr/sbin/smsbox ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "note: apt-get not found; Kannel integration test skipped" >&2
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "note: not root and no sudo; Kannel integration test skipped" >&2
      return 0
    fi
  fi
  echo "installing kannel (apt-get, quiet) for the Kannel integration test..." >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq kannel >/dev/null 2>&1 \
    || { $sudo apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq kannel >/dev/null 2>&1; } \
    || echo "note: could not install kannel; Kannel integration test skipped" >&2
  # The Debian package starts its own bearerbox/smsbox service on the default ports: the test uses
  # other ports, but stop the service so it does not run needlessly.
  if command -v systemctl >/dev/null 2>&1; then $sudo systemctl stop kannel >/dev/null 2>&1 || true; fi
  return 0
}
kannel_setup || true
