# Sourced by scripts/test.sh: a real Jasmin SMS gateway on 127.0.0.1 for the Jasmin integration
# test (Tests/SMSWebTests/JasminIntegrationTests.swift), in front of the SMPP SMSC simulator of
# scripts/kannel/smsc_sim.py. Needs Debian's rabbitmq-server and redis-server (installed with
# apt-get when missing, scripts/setup/lib/apt.sh) and PyPI `jasmin` in the tool venv
# (scripts/requirements-tools.txt, made by scripts/setup/python.sh, sourced here first when it has
# not run yet). Starts, each on a free loopback port with its data and logs in one temporary
# folder: Redis, RabbitMQ (its own node name, epmd port and Erlang cookie), the simulator
# (destination prefixes +4915550009 refused submit, +4915550008 UNDELIV err:001, +4915550007
# ENROUTE then DELIVRD, +4915550006 no receipt, others DELIVRD after 0.3 s), then
# `jasmind.py --enable-dlr-thrower --enable-dlr-lookup` (DLRs are resent after 1 s up to twice
# unless answered `ACK/Jasmin`), configured through jCli (scripts/jasmin/jcli_setup.py: connector
# `sim`, HTTP user `smsstats`/`jasminpw`, default route). Exports
#   SMSSTATS_TEST_JASMIN_URL=http://127.0.0.1:<port>   (Jasmin's HTTP API: /send)
#   SMSSTATS_TEST_JASMIN_LOGS=<folder>                  (jasmin's and the simulator's logs)
# and stops what it started, by PID, when the sourcing shell exits. Never fails the run: when a
# tool is missing the variables stay unset and the test skips with a note (under CI=true it fails).
#
# Jasmin 0.11.1 (the release pinned in scripts/requirements-tools.txt) has two bugs fixed here in
# the venv's copy, each a one-line change, idempotent:
# - jasmin/managers/listeners.py reads `_pdu.response` where the answer is `r.response` (what
#   upstream master does, jookies/jasmin#1236/#1237): without it no DLR is ever mapped;
# - txAMQP3 0.9.4 `txamqp/codec.py` `enc_str` writes a string's length in characters, not bytes:
#   the first non-ASCII text makes RabbitMQ drop Jasmin's connection.
# shellcheck source=scripts/setup/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
jasmin_setup() {
  local skip="Jasmin integration test skipped" here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  if [ -n "${SMSSTATS_TEST_JASMIN_URL:-}" ]; then
    echo "setup: using SMSSTATS_TEST_JASMIN_URL from the environment" >&2
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1 || [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    apt_install "$skip" rabbitmq-server redis-server || return 0
    # The packages start their own services on the default ports: the test uses its own.
    if command -v systemctl >/dev/null 2>&1; then $APT_SUDO systemctl stop rabbitmq-server redis-server >/dev/null 2>&1 || true; fi
  fi
  if [ -z "${SMSSTATS_TEST_PYTHON:-}" ]; then
    # shellcheck source=scripts/setup/python.sh
    source "$here/scripts/setup/python.sh"
  fi
  local venv
  venv="$(dirname "$(dirname "${SMSSTATS_TEST_PYTHON:-/nonexistent/bin/python}")")"
  if [ ! -x "$venv/bin/jasmind.py" ]; then
    echo "note: jasmind.py not in the tool venv ($venv); $skip" >&2
    return 0
  fi
  local site
  site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  sed -i 's/_pdu\.response\./r.response./g' "$site/jasmin/managers/listeners.py"
  sed -i 's/^\(\s*\)size = len(s)$/\1s = s if isinstance(s, bytes) else s.encode(); size = len(s)/' "$site/txamqp/codec.py"

  local dir
  dir=$(mktemp -d /tmp/smsstats-jasmin.XXXXXX)
  # Free ports: the first 11 from a random start that nothing answers on.
  local ports=() p=$((20000 + RANDOM % 20000))
  while [ "${#ports[@]}" -lt 11 ]; do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || ports+=("$p")
    p=$((p + 1))
  done
  local redis=${ports[0]} amqp=${ports[1]} epmd=${ports[2]} dist=${ports[3]} smsc=${ports[4]} http=${ports[5]}
  local jcli=${ports[6]} smpps=${ports[7]} smppspb=${ports[8]} clientpb=${ports[9]} routerpb=${ports[10]}
  # Every process started is listed in $dir/pids (stopped newest first at exit, by PID: _jasmin_stop).
  redis-server --port "$redis" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 &
  echo "$!" >>"$dir/pids"
  mkdir -p "$dir/rabbitmq" && echo '[].' >"$dir/rabbitmq/enabled_plugins"
  HOME="$dir/rabbitmq" ERL_EPMD_PORT="$epmd" ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODENAME="smsstats$redis@localhost" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$amqp" RABBITMQ_DIST_PORT="$dist" \
    RABBITMQ_MNESIA_BASE="$dir/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$dir/rabbitmq/log" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/rabbitmq/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq/rabbitmq" RABBITMQ_ADVANCED_CONFIG_FILE="$dir/rabbitmq/advanced.config" \
    /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/rabbitmq.out" 2>&1 &
  echo "$!" >>"$dir/pids"
  python3 "$here/scripts/kannel/smsc_sim.py" --port "$smsc" --delay 0.3 --reject-prefix +4915550009 --undeliv-prefix +4915550008 \
    --enroute-prefix +4915550007 --noreceipt-prefix +4915550006 >"$dir/sim.out" 2>&1 &
  echo "$!" >>"$dir/pids"
  mkdir -p "$dir/etc/jasmin/store" "$dir/var/log/jasmin"
  cat >"$dir/etc/jasmin/jasmin.cfg" <<CFG
[smpp-server]
bind = 127.0.0.1
port = $smpps
[smpp-server-pb]
bind = 127.0.0.1
port = $smppspb
[client-management]
bind = 127.0.0.1
port = $clientpb
[router]
bind = 127.0.0.1
port = $routerpb
[http-api]
bind = 127.0.0.1
port = $http
[jcli]
bind = 127.0.0.1
port = $jcli
[amqp-broker]
host = 127.0.0.1
port = $amqp
spec = $site/txamqp/specs/standard/amqp0-9-1.stripped.xml
[redis-client]
host = 127.0.0.1
port = $redis
[dlr-thrower]
retry_delay = 1
max_retries = 2
http_timeout = 10
CFG
  # RabbitMQ takes 10-30 s to boot on a busy machine: the rest (jasmind once RabbitMQ and Redis
  # answer, then jCli) runs in the background while the suite builds; it writes $dir/ready, or
  # $dir/failed with the reason, which the test waits for.
  (
    up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
    i=0
    until up "$amqp" && up "$redis"; do
      i=$((i + 1)); [ "$i" -lt 1200 ] || { echo "RabbitMQ or Redis did not start within 120 s" >"$dir/failed"; exit 0; }
      sleep 0.1
    done
    cd "$dir" || exit 0
    env -u REDIS_URL ROOT_PATH="$dir" "$venv/bin/python" "$venv/bin/jasmind.py" --config "$dir/etc/jasmin/jasmin.cfg" \
      --enable-dlr-thrower --enable-dlr-lookup >"$dir/jasmind.out" 2>&1 &
    echo "$!" >>"$dir/pids"
    i=0
    until up "$jcli" && up "$http"; do
      i=$((i + 1)); [ "$i" -lt 1800 ] || { echo "jasmind did not open its ports within 180 s" >"$dir/failed"; exit 0; }
      sleep 0.1
    done
    if python3 "$here/scripts/jasmin/jcli_setup.py" "$jcli" "$smsc" smsstats jasminpw 2>"$dir/jcli.err"; then
      touch "$dir/ready"
    else
      echo "jCli configuration failed: $(tail -c 2000 "$dir/jcli.err")" >"$dir/failed"
    fi
  ) >/dev/null 2>&1 &
  echo "$!" >>"$dir/pids"
  export SMSSTATS_TEST_JASMIN_URL="http://127.0.0.1:$http"
  export SMSSTATS_TEST_JASMIN_LOGS="$dir"
  echo "setup: Jasmin $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("jasmin"))') starting on 127.0.0.1:$http (logs in $dir)" >&2
  local previous
  previous=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  # shellcheck disable=SC2064
  # No quotes in this trap ($dir is a mktemp path): a later setup script re-reads it with trap -p.
  trap "${previous:+$previous; }_jasmin_stop $dir; ERL_EPMD_PORT=$epmd epmd -kill >/dev/null 2>&1; rm -rf $dir" EXIT
  return 0
}
# Stops the processes listed in <dir>/pids, newest first (SIGTERM, then SIGKILL after 1 s).
_jasmin_stop() {
  local pids pid
  pids=$(tac "$1/pids" 2>/dev/null)
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
}
jasmin_setup || true
