# Sourced by scripts/test.sh: makes Debian's `nginx` available for the cluster tests
# (Tests/SMSWebTests/Cluster: nginx on loopback round-robin in front of three `smsstats serve`).
# Installs it quietly with apt-get when missing (nginx-light would do; `nginx` is what the README
# documents), stops the service the package starts (the tests run their own nginx on free ports),
# and exports SMSSTATS_TEST_NGINX=<path of the nginx binary>. Never fails the run: without nginx the
# cluster tests are skipped with a message.
nginx_setup() {
  local bin
  bin=$(command -v nginx 2>/dev/null || true)
  [ -z "$bin" ] && [ -x /usr/sbin/nginx ] && bin=/usr/sbin/nginx
  if [ -z "$bin" ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "note: apt-get not found; nginx cluster tests skipped" >&2
      return 0
    fi
    local sudo=""
    if [ "$(id -u)" != "0" ]; then
      if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
        echo "note: not root and no sudo; nginx cluster tests skipped" >&2
        return 0
      fi
    fi
    echo "setup: installing nginx (apt-get, quiet) for the cluster tests..." >&2
    { DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nginx >/dev/null 2>&1 \
        || { $sudo apt-get update -qq >/dev/null 2>&1 \
             && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nginx >/dev/null 2>&1; }; } \
      || { echo "note: could not install nginx; nginx cluster tests skipped" >&2; return 0; }
    # The package may start its own server on port 80: the tests do not use it.
    if command -v systemctl >/dev/null 2>&1; then $sudo systemctl stop nginx >/dev/null 2>&1 || true; fi
    $sudo nginx -s quit >/dev/null 2>&1 || true
    bin=/usr/sbin/nginx
  fi
  [ -x "$bin" ] || { echo "note: nginx not executable at $bin; nginx cluster tests skipped" >&2; return 0; }
  export SMSSTATS_TEST_NGINX="$bin"
  echo "setup: $("$bin" -v 2>&1 | head -1) at $bin" >&2
  return 0
}
nginx_setup || true
