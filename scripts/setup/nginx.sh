# Sourced by scripts/test.sh: makes Debian's `nginx` available for the cluster tests
# (Tests/SMSWebTests/Cluster: nginx on loopback round-robin in front of three `smsstats serve`).
# Installs it quietly with apt-get when missing (nginx-light would do; `nginx` is what the README
# documents), stops the service the package starts (the tests run their own nginx on free ports),
# and exports SMSSTATS_TEST_NGINX=<path of the nginx binary>. Never fails the run: without nginx the
# cluster tests are skipped with a message. The install is apt_install (scripts/setup/lib/apt.sh).
# shellcheck source=scripts/setup/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
nginx_setup() {
  local bin
  bin=$(command -v nginx 2>/dev/null || true)
  [ -z "$bin" ] && [ -x /usr/sbin/nginx ] && bin=/usr/sbin/nginx
  if [ -z "$bin" ]; then
    apt_install "nginx cluster tests skipped" nginx || return 0
    # The package may start its own server on port 80: the tests do not use it.
    if command -v systemctl >/dev/null 2>&1; then $APT_SUDO systemctl stop nginx >/dev/null 2>&1 || true; fi
    $APT_SUDO nginx -s quit >/dev/null 2>&1 || true
    bin=/usr/sbin/nginx
  fi
  [ -x "$bin" ] || { echo "note: nginx not executable at $bin; nginx cluster tests skipped" >&2; return 0; }
  export SMSSTATS_TEST_NGINX="$bin"
  echo "setup: $("$bin" -v 2>&1 | head -1) at $bin" >&2
  return 0
}
nginx_setup || true
