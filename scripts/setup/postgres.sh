# Sourced by scripts/test.sh: a private PostgreSQL server on 127.0.0.1 for the PostgreSQL store
# tests (Tests/SMSStoreTests, the demo end to end on PostgreSQL). Installs Debian's `postgresql`
# with apt-get when missing, initialises a throw-away cluster in a temporary directory (owned by
# the `postgres` user when run as root: initdb refuses root), starts it on a free port, creates a
# role and a database, and exports
#   SMSSTATS_TEST_POSTGRES_URL=postgres://smsstats:<password>@127.0.0.1:<port>/smsstats_test
# The server is stopped when the sourcing shell exits. Never fails the run: when anything is
# missing, the URL stays unset and the PostgreSQL test cases are skipped with a message.
# An already exported SMSSTATS_TEST_POSTGRES_URL is kept as is (use your own server).
postgres_setup() {
  if [ -n "${SMSSTATS_TEST_POSTGRES_URL:-}" ]; then
    echo "setup: using SMSSTATS_TEST_POSTGRES_URL from the environment" >&2
    return 0
  fi
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
      echo "setup: installing postgresql for the PostgreSQL store tests (quiet)…" >&2
      { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql \
          || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }; \
      } >/dev/null 2>&1 || { echo "note: postgresql could not be installed; PostgreSQL tests skipped" >&2; return 0; }
      # The package may start its own cluster on 5432: this script does not use it.
      bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    else
      echo "note: PostgreSQL not found and not installable here (needs root and apt-get); PostgreSQL tests skipped" >&2
      return 0
    fi
  fi
  [ -x "$bindir/initdb" ] || { echo "note: initdb not found; PostgreSQL tests skipped" >&2; return 0; }

  # A free port: the first of 55432… that nothing answers on.
  local port=55432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

  local dir run=""
  dir=$(mktemp -d /tmp/smsstats-pg.XXXXXX)
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || { echo "note: no postgres user; PostgreSQL tests skipped" >&2; return 0; }
    chown postgres "$dir"
    run="runuser -u postgres --"
  fi
  local password
  password="pw$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$password" >"$dir/pwfile"
  chmod 644 "$dir/pwfile"
  if ! $run "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$dir/pwfile" -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
    echo "note: initdb failed (see $dir/initdb.log); PostgreSQL tests skipped" >&2
    return 0
  fi
  rm -f "$dir/pwfile"
  # The port can be taken between the probe and the bind (another run's server, a client's
  # ephemeral port): then the next free one, up to 10 times.
  local tries=0
  until $run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=1000 -c shared_buffers=128MB -c fsync=off" start >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 10 ] || ! grep -q "Address already in use" "$dir/server.log" 2>/dev/null; then
      echo "note: PostgreSQL did not start (see $dir/server.log); PostgreSQL tests skipped" >&2
      return 0
    fi
    port=$((port + 1))
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  done
  if ! $run "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
      -c "CREATE ROLE smsstats LOGIN PASSWORD '$password'" \
      -c "CREATE DATABASE smsstats_test OWNER smsstats" >/dev/null 2>&1; then
    echo "note: could not create the test role and database; PostgreSQL tests skipped" >&2
    $run "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    return 0
  fi
  export SMSSTATS_TEST_POSTGRES_URL="postgres://smsstats:$password@127.0.0.1:$port/smsstats_test"
  echo "setup: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)" >&2
  # Stop it when the test run ends (keeping any EXIT trap set before).
  local previous
  previous=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  # shellcheck disable=SC2064
  trap "${previous:+$previous; }$run '$bindir/pg_ctl' -D '$dir/data' -m fast stop >/dev/null 2>&1; rm -rf '$dir'" EXIT
  return 0
}
postgres_setup || true
