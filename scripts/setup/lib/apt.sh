# Shared by the scripts/setup/*.sh that install a Debian package (sourced by them, not by
# scripts/test.sh: its glob reads scripts/setup/*.sh only).
#
# apt_install "<what is skipped without it>" <package>...
#   Installs the packages quietly with apt-get (no recommended packages; `apt-get update` and a
#   second try when the first install fails). Root installs directly; otherwise `sudo -n` when it
#   works without a password. Sets APT_SUDO ("" or "sudo -n") for the caller's follow-up commands
#   (stopping the service a package starts). Returns 1 with a note naming what is skipped when
#   apt-get is missing, there is no root or sudo, or the install fails; never exits the shell.
apt_install() {
  local skipped="$1"
  shift
  APT_SUDO=""
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "note: apt-get not found; $skipped" >&2
    return 1
  fi
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then APT_SUDO="sudo -n"; else
      echo "note: not root and no sudo; $skipped" >&2
      return 1
    fi
  fi
  echo "setup: installing $* (apt-get, quiet)..." >&2
  { DEBIAN_FRONTEND=noninteractive $APT_SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
      || { $APT_SUDO apt-get update -qq >/dev/null 2>&1 \
           && DEBIAN_FRONTEND=noninteractive $APT_SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; }; } \
    || { echo "note: could not install $*; $skipped" >&2; return 1; }
}
