# Sourced by scripts/test.sh: makes Debian's Kannel (bearerbox, smsbox) available for the Kannel
# integration test (Tests/SMSWebTests/KannelIntegrationTests.swift). Installs it quietly with
# apt-get when it is missing (apt_install, scripts/setup/lib/apt.sh); never fails the run: without
# it the test is skipped. The SMPP SMSC simulator and configs are in scripts/kannel (or
# $SMSSTATS_KANNEL_TOOLS).
# shellcheck source=scripts/setup/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
kannel_setup() {
  if [ -x /usr/sbin/bearerbox ] && [ -x /usr/sbin/smsbox ]; then
    return 0
  fi
  apt_install "Kannel integration test skipped" kannel || return 0
  # The Debian package starts its own bearerbox/smsbox service on the default ports: the test uses
  # other ports, but stop the service so it does not run needlessly.
  if command -v systemctl >/dev/null 2>&1; then $APT_SUDO systemctl stop kannel >/dev/null 2>&1 || true; fi
  return 0
}
kannel_setup || true
