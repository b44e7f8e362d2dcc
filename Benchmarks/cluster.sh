#!/usr/bin/env bash
# Cluster benchmark (issue 14, BENCHMARKS.md "cluster"): 1, 2 and 3 `smsstats serve` nodes behind
# Debian's nginx (deploy/nginx/smsstats.conf, ports replaced) on one PostgreSQL, against baselines
# measured in the same run:
#   dispatch   a campaign of $MESSAGES messages published through nginx and sent to `smsstats sink`
#              (batch 100, maxConcurrency 4 for all nodes together): messages/s from the publish
#              request to the last message sent (the nodes send while the publish inserts);
#   callbacks  one `delivered` item per message of a dispatched campaign, batches of 100, POSTed
#              through nginx by curl --parallel (8 connections); baseline: the same statements the store
#              issues per batch, by pgbench (Benchmarks/cluster/callbacks.pgbench, 8 clients);
#              during each run: wait events of the PostgreSQL backends sampled every 10 ms, WAL
#              bytes and statements per item (pg_current_wal_lsn, pg_stat_statements);
#   hot rows   pgbench with every client on one rollup row set vs each client on its own;
#   redirects  wrk -t2 -c64 on /l/<code> through nginx (human user agent) vs /health through
#              nginx (a constant answer of the same node, nothing stored): requests/s and p99.
# Usage: Benchmarks/cluster.sh [node counts, default "1 2 3"]
# Env: SMSSTATS_BIN (default .build/release/smsstats), MESSAGES (default 40000), REDIRECT_SECONDS (10).
# Callbacks run twice per node count: with the rollup slot rows (4, the default) and with one row
# per cell (SMSSTATS_ROLLUP_SLOTS=1, as before the slots), each on its own dispatched campaign.
# Needs: root or the postgres user for initdb (as scripts/setup/postgres.sh), nginx, wrk, pgbench.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${SMSSTATS_BIN:-$ROOT/.build/release/smsstats}
MESSAGES=${MESSAGES:-40000}
REDIRECT_SECONDS=${REDIRECT_SECONDS:-10}
COUNTS=${*:-1 2 3}
LUA=$ROOT/Benchmarks/cluster
[ -x "$BIN" ] || { echo "build first: swift build -c release --product smsstats" >&2; exit 1; }
for tool in nginx wrk pgbench psql; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "needs $tool" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

DIR=$(mktemp -d /tmp/smsstats-cluster-bench.XXXXXX)
chmod 755 "$DIR"
PIDS=()
RUN=""
[ "$(id -u)" = "0" ] && { chown postgres "$DIR"; RUN="runuser -u postgres --"; }
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$DIR/nginx.pid" ] && kill "$(cat "$DIR/nginx.pid")" 2>/dev/null || true
  $RUN "$PGBIN/pg_ctl" -D "$DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
free_port() { local p=$1; while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done; echo "$p"; }
now_ms() { date +%s%3N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# PostgreSQL: a throw-away server as the tests' (fsync=off), with pg_stat_statements.
PGPORT=$(free_port 56432)
$RUN "$PGBIN/initdb" -D "$DIR/pg" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
$RUN "$PGBIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg.log" -w -t 60 -o "-p $PGPORT -k $DIR -c listen_addresses=127.0.0.1 \
  -c max_connections=300 -c shared_buffers=256MB -c fsync=off -c shared_preload_libraries=pg_stat_statements \
  -c pg_stat_statements.track=all" start >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d smsstats -v ON_ERROR_STOP=1 -qAt)
psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qc "CREATE DATABASE smsstats" >/dev/null
"${PSQL[@]}" -c "CREATE EXTENSION pg_stat_statements" >/dev/null
URL="postgres://postgres@127.0.0.1:$PGPORT/smsstats"
q() { "${PSQL[@]}" -c "$1"; }

# The sink provider.
"$BIN" sink --port 0 --out "$DIR/refs.txt" >"$DIR/sink.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q "listening on port" "$DIR/sink.log" && break; sleep 0.1; done
SINKPORT=$(sed -nE 's/.*sink listening on port ([0-9]+).*/\1/p' "$DIR/sink.log")

# Nodes: fixed ports, started and stopped per node count.
NODEPORTS=()
p=18081
for i in 1 2 3; do p=$(free_port "$p"); NODEPORTS+=("$p"); p=$((p + 1)); done
NODEPID=()
start_nodes() { # n
  local n=$1 i
  NODEPID=()
  for i in $(seq 1 "$n"); do
    SMSSTATS_ROLLUP_SLOTS=${SLOTS:-4} "$BIN" serve --database "$URL" --port "${NODEPORTS[$((i - 1))]}" --admin-token t --node-id "n$i" \
      --public-url "http://127.0.0.1:$NGINXPORT" --dispatch-interval-ms 50 --log-level warning \
      --click-journal "$DIR/clicks-n$i" --ip-hash-salt "cluster-bench-salt-0123" >>"$DIR/node$i.log" 2>&1 &
    NODEPID+=($!)
    PIDS+=($!)
  done
  for i in $(seq 1 "$n"); do
    for _ in $(seq 600); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${NODEPORTS[$((i - 1))]}/ready")" = 200 ] && break
      sleep 0.1
    done
  done
}
stop_nodes() {
  local p
  for p in "${NODEPID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${NODEPID[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
  NODEPID=()
}

# nginx: the shipped configuration, upstream ports replaced, listening on a free port; plus the
# temp paths a non-system nginx needs.
NGINXPORT=$(free_port 18180)
{
  echo "worker_processes 1; pid $DIR/nginx.pid; error_log $DIR/nginx-error.log;"
  echo "events { worker_connections 4096; }"
  echo "http { access_log off; client_body_temp_path $DIR/nginx-body; proxy_temp_path $DIR/nginx-proxy;"
  sed -E "/server 127\.0\.0\.1:808[0-9]/d; s/listen 80;/listen 127.0.0.1:$NGINXPORT;/; \
    s/^upstream smsstats \{/upstream smsstats {\n    server 127.0.0.1:${NODEPORTS[0]} max_fails=1 fail_timeout=2s;\n    server 127.0.0.1:${NODEPORTS[1]} max_fails=1 fail_timeout=2s;\n    server 127.0.0.1:${NODEPORTS[2]} max_fails=1 fail_timeout=2s;/" \
    deploy/nginx/smsstats.conf
  echo "}"
} >"$DIR/nginx.conf"
"$NGINX" -c "$DIR/nginx.conf" -e "$DIR/nginx-error.log"
BASE="http://127.0.0.1:$NGINXPORT"
api() { curl -sf -H "Authorization: Bearer t" -H 'Content-Type: application/json' "$@"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') (fsync=off), $("$NGINX" -v 2>&1 | sed 's/.*: //'), load $(load)"
echo "messages per campaign: $MESSAGES; node counts: $COUNTS"

# Seed through one node: the provider (the sink, batch 100, maxConcurrency 4), the profiles, one
# draft campaign per node count plus one for the baseline.
start_nodes 1
PROVIDER=$(api "http://127.0.0.1:${NODEPORTS[0]}/api/v1/providers" -d "{\"name\":\"Sink\",\"kind\":\"generic\",\"method\":\"POST\",
  \"url\":\"http://127.0.0.1:$SINKPORT/sms/send\",\"bodyType\":\"json\",
  \"bodyTemplate\":\"{\\\"messages\\\":[{\\\"to\\\":\\\"\$\$To\\\",\\\"text\\\":\\\"\$\$Body\\\",\\\"ref\\\":\\\"\$\$MessageID\\\"}]}\",
  \"batch\":{\"key\":\"messages\",\"size\":100},\"callbacksEnabled\":true,\"messageIdPath\":\"messages.*.id\",\"maxConcurrency\":4}" \
  | sed -nE 's/.*"id":"([^"]+)".*/\1/p')
SECRET=$(api "http://127.0.0.1:${NODEPORTS[0]}/api/v1/providers/$PROVIDER" | sed -nE 's/.*secret=([A-Za-z0-9]+).*/\1/p')
[ -n "$PROVIDER" ] && [ -n "$SECRET" ] || { echo "provider not created" >&2; exit 1; }
awk -v n="$MESSAGES" 'BEGIN { printf "userId,phone\n"; for (i = 0; i < n; i++) printf "u%07d,+49151%08d\n", i, i }' >"$DIR/profiles.csv"
api -H 'Content-Type: text/csv' --data-binary @"$DIR/profiles.csv" "http://127.0.0.1:${NODEPORTS[0]}/api/v1/profiles/import" >/dev/null
CAMPAIGNS=()
for name in baseline $COUNTS $(for n in $COUNTS; do echo "one-row-$n"; done); do
  CAMPAIGNS+=("$(api "http://127.0.0.1:${NODEPORTS[0]}/api/v1/campaigns" -d "{\"name\":\"bench $name\",\"providerId\":\"$PROVIDER\",
    \"body\":\"Sale today https://shop.example/p?a=1\",\"audience\":{\"all\":true},\"timezone\":\"UTC\"}" \
    | sed -nE 's/^\{"id":"([^"]+)".*/\1/p; s/.*"id":"(cmp_[^"]+)".*/\1/p' | head -1)")
done
stop_nodes

# Dispatch: publish each campaign with its node count running (the baseline campaign with 3).
dispatch() { # campaign nodes: publish through nginx with the nodes running, until all are sent
  local c=$1 n=$2 t0 sent=0 published
  start_nodes "$n"
  t0=$(now_ms)
  api -X POST "$BASE/api/v1/campaigns/$c/publish" >/dev/null
  published=$(now_ms)
  while :; do
    sent=$(q "SELECT count(*) FROM messages WHERE campaign_id = '$c' AND dispatch <> 'queued'")
    [ "$sent" -ge "$MESSAGES" ] && break
    [ $(($(now_ms) - t0)) -gt 600000 ] && { echo "dispatch did not finish: $sent of $MESSAGES" >&2; exit 1; }
    sleep 0.05
  done
  local done_ms
  done_ms=$(now_ms)
  stop_nodes
  DRESULT="$((MESSAGES * 1000 / (done_ms - t0))) $((published - t0)) $((done_ms - t0))"
}
# Callbacks through nginx with n nodes for campaign c; prints items/s, p50, p99, WAL bytes/item,
# statements/batch, wait-event samples.
callback_bodies() { # campaign file
  q "SELECT '[{\"event\":\"delivered\",\"data\":[' || string_agg('{\"meta\":\"' || meta || '\",\"ts\":' || extract(epoch FROM now())::bigint || '}', ',' ORDER BY id) || ']}]'
     FROM (SELECT id, meta, (row_number() OVER (ORDER BY id) - 1) / 100 AS g FROM messages WHERE campaign_id = '$1') s GROUP BY g ORDER BY g" >"$2"
}
q "CREATE TABLE bench_waits (run TEXT, wait TEXT, query TEXT, n BIGINT)"
sample_waits() { # run label, in the background until the file $DIR/stop-sampling exists
  q "DO \$\$ DECLARE i INT := 0; BEGIN LOOP
       PERFORM pg_stat_clear_snapshot();
       INSERT INTO bench_waits SELECT '$1', COALESCE(wait_event_type || ':' || wait_event, 'CPU'), left(regexp_replace(query, '\s+', ' ', 'g'), 60), 1
         FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
           AND datname = 'smsstats' AND application_name NOT IN ('psql', 'stop-sampling');
       i := i + 1; EXIT WHEN i >= 6000;
       PERFORM pg_sleep(0.01);
       IF i % 20 = 0 THEN EXIT WHEN (SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stop-sampling') > 0; END IF;
     END LOOP; END \$\$" &
  SAMPLER=$!
}
stop_sampling() {
  PGAPPNAME=stop-sampling psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d smsstats -qAtc "SELECT pg_sleep(0.5)" >/dev/null
  wait "$SAMPLER" || true
}
wal() { q "SELECT pg_current_wal_lsn()"; }
wal_diff() { q "SELECT pg_wal_lsn_diff('$2', '$1')::bigint"; }
statements() { # calls of statements that are not the benchmark's own
  q "SELECT COALESCE(sum(calls), 0) FROM pg_stat_statements WHERE query NOT ILIKE '%bench_waits%' AND query NOT ILIKE '%pg_stat%' AND query NOT ILIKE '%pg_current_wal_lsn%' AND query NOT ILIKE '%count(*) FROM messages%'"
}

echo
echo "== publish + dispatch through nginx ($MESSAGES messages to the sink, batch 100, maxConcurrency 4 for all nodes together)"
i=0
declare -A DISPATCH
declare -A CAMPAIGN
for name in baseline $COUNTS $(for n in $COUNTS; do echo "one-row-$n"; done); do
  c=${CAMPAIGNS[$i]}; i=$((i + 1))
  CAMPAIGN[$name]=$c
  n=$(case $name in baseline | one-row-*) echo 3 ;; *) echo "$name" ;; esac)
  dispatch "$c" "$n"
  read -r rate publish total <<<"$DRESULT"
  case $name in baseline | one-row-*) continue ;; esac
  DISPATCH[$n]=$rate
  echo "nodes $n: $rate msg/s from the publish request to the last message sent ($total ms; the publish request answered after $publish ms); load $(load)"
done

echo "sink received $(wc -l <"$DIR/refs.txt") refs; dispatch errors: $(q "SELECT count(*) FROM messages WHERE dispatch_error_reason IS NOT NULL")"
echo
echo "== callbacks (batches of 100 items, through nginx, curl --parallel-max 8) vs pgbench (the store's statements per batch, 8 clients)"
FIRST=$(q "SELECT min(id) FROM messages WHERE campaign_id = '${CAMPAIGNS[0]}'")
BUCKET=$(($(date +%s) / 900 * 900))
q "CREATE SEQUENCE bench_batch"
run_pgbench() { # label clients transactions campaign-variable
  local label=$1 clients=$2 tx=$3 w0 w1 out
  q "SELECT pg_stat_statements_reset()" >/dev/null
  w0=$(wal)
  sample_waits "$label"
  out=$(PGAPPNAME=pgbench pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -c "$clients" -j 2 -t "$tx" -r \
    -D first="$FIRST" -D campaign="$4" -D now="$(date +%s)" -D bucket="$BUCKET" -f "$LUA/callbacks.pgbench" smsstats 2>&1)
  stop_sampling
  w1=$(wal)
  local tps
  tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' <<<"$out")
  local lat
  lat=$(sed -nE 's/^latency average = ([0-9.]+) ms/\1/p' <<<"$out")
  echo "$label: $(awk -v t="$tps" 'BEGIN { printf "%d", t * 100 }') items/s ($tps batches/s, mean batch latency $lat ms), WAL $(($(wal_diff "$w0" "$w1") / (clients * tx * 100))) bytes/item; load $(load)"
  PGBENCH_ITEMS=$(awk -v t="$tps" 'BEGIN { printf "%d", t * 100 }')
}
callbacks() { # campaign nodes (SLOTS: rollup slot rows per cell)
  local c=$1 n=$2 w0 w1 s0 s1 out
  callback_bodies "$c" "$DIR/bodies-$n.txt"
  awk -v url="$BASE/callbacks/$PROVIDER?secret=$SECRET" -v dir="$DIR" '{
      f = dir "/body-" NR ".json"; print > f; close(f)
      if (NR > 1) print "next"
      printf "url = \"%s\"\ndata-binary = \"@%s\"\nheader = \"Content-Type: application/json\"\noutput = \"/dev/null\"\nwrite-out = \"%%{http_code} %%{time_total}\\n\"\n", url, f
    }' "$DIR/bodies-$n.txt" >"$DIR/curl-$n.cfg"
  start_nodes "$n"
  sleep 1
  q "SELECT pg_stat_statements_reset()" >/dev/null
  s0=$(statements)
  w0=$(wal)
  sample_waits "callbacks-$n-slots-${SLOTS:-4}"
  # curl --parallel: each body POSTed once over 8 kept-alive connections, timed as a whole.
  local t0 t1
  t0=$(now_ms)
  curl -s --no-progress-meter --parallel --parallel-max 8 -K "$DIR/curl-$n.cfg" >"$DIR/curl-$n.out" 2>"$DIR/curl-$n.err" || true
  t1=$(now_ms)
  stop_sampling
  w1=$(wal)
  s1=$(statements)
  stop_nodes
  local p50 p99 batches stored ok
  batches=$(($(wc -l <"$DIR/bodies-$n.txt")))
  ok=$(awk '$1 ~ /^2/' "$DIR/curl-$n.out" | wc -l)
  p50=$(awk '{ print $2 * 1000 }' "$DIR/curl-$n.out" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1fms", a[int(NR * 0.5)] }')
  p99=$(awk '{ print $2 * 1000 }' "$DIR/curl-$n.out" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1fms", a[int(NR * 0.99)] }')
  stored=$(q "SELECT count(*) FROM messages WHERE campaign_id = '$c' AND delivered_at IS NOT NULL")
  [ "$ok" = "$batches" ] || echo "  $((batches - ok)) of $batches requests not 2xx: $(awk '$1 !~ /^2/ { print $1 }' "$DIR/curl-$n.out" | sort | uniq -c | tr '\n' ' ')"
  CB_ITEMS=$((MESSAGES * 1000 / (t1 - t0)))
  echo "nodes $n: $CB_ITEMS items/s ($batches requests in $((t1 - t0)) ms, p50 $p50, p99 $p99), $stored of $MESSAGES delivered stored, WAL $(($(wal_diff "$w0" "$w1") / MESSAGES)) bytes/item, $(((s1 - s0) / batches)) statements/batch; load $(load)"
}
for n in $COUNTS; do
  q "SELECT setval('bench_batch', 1, false)" >/dev/null
  q "DELETE FROM message_events WHERE provider_id = 'bench'; UPDATE messages SET delivered_at = NULL WHERE campaign_id = '${CAMPAIGNS[0]}'" >/dev/null
  run_pgbench "pgbench before nodes $n" 8 $((MESSAGES / 100 / 8)) "${CAMPAIGNS[0]}"
  BASELINE=$PGBENCH_ITEMS
  for SLOTS in 1 4; do
    c=$([ $SLOTS = 1 ] && echo "${CAMPAIGN[one-row-$n]}" || echo "${CAMPAIGN[$n]}")
    echo -n "rollup slots $SLOTS, "
    callbacks "$c" "$n"
    echo "  ratio nodes $n, slots $SLOTS / pgbench: $(awk -v a="$CB_ITEMS" -v b="$BASELINE" 'BEGIN { printf "%.2f", a / b }')"
  done
  SLOTS=4
done
echo "statements of the last callback run (pg_stat_statements: calls, mean ms, rows per call):"
q "SELECT calls || ' | ' || round(mean_exec_time::numeric, 3) || ' ms | ' || round(rows::numeric / calls, 1) || ' | ' || left(regexp_replace(query, '\s+', ' ', 'g'), 110)
   FROM pg_stat_statements WHERE calls > 10 AND query NOT ILIKE '%bench_waits%' ORDER BY total_exec_time DESC LIMIT 14"

echo
echo "== wait events of the active backends, sampled every 10 ms (share of samples)"
q "SELECT run || ' | ' || string_agg(wait || ' ' || round(100.0 * n / total, 1) || ' %', ', ' ORDER BY n DESC) FROM (
     SELECT run, wait, count(*) AS n, sum(count(*)) OVER (PARTITION BY run) AS total FROM bench_waits GROUP BY run, wait) s
   WHERE n * 100 >= total GROUP BY run ORDER BY run"
echo "lock waits by statement:"
q "SELECT run || ' | ' || wait || ' | ' || count(*) || ' | ' || query FROM bench_waits WHERE wait LIKE 'Lock:%' GROUP BY run, wait, query ORDER BY run, count(*) DESC"

echo
echo "== hot rows: pgbench, 8 clients on one campaign's rollup rows vs each client its own campaign"
q "SELECT setval('bench_batch', 1, false)" >/dev/null
q "DELETE FROM message_events WHERE provider_id = 'bench'; UPDATE messages SET delivered_at = NULL WHERE campaign_id = '${CAMPAIGNS[0]}'" >/dev/null
run_pgbench "pgbench-hot one rollup row set" 8 $((MESSAGES / 100 / 8)) "${CAMPAIGNS[0]}"
q "SELECT setval('bench_batch', 1, false)" >/dev/null
q "DELETE FROM message_events WHERE provider_id = 'bench'; UPDATE messages SET delivered_at = NULL WHERE campaign_id = '${CAMPAIGNS[0]}'" >/dev/null
sed "s/':campaign'/'spread-:client_id'/g" "$LUA/callbacks.pgbench" >"$DIR/spread.pgbench"
LUA_SAVE=$LUA; LUA=$DIR; cp "$DIR/spread.pgbench" "$DIR/callbacks.pgbench"
run_pgbench "pgbench-spread one row set per client" 8 $((MESSAGES / 100 / 8)) "${CAMPAIGNS[0]}"
LUA=$LUA_SAVE

echo
echo "== redirects (wrk -t2 -c64 -d${REDIRECT_SECONDS}s through nginx): /l/<code> vs /health (constant)"
q "SELECT code FROM short_links ORDER BY md5(code) LIMIT 50000" >"$DIR/codes.txt"
echo "short links: $(q "SELECT count(*) FROM short_links") (the load cycles through $(wc -l <"$DIR/codes.txt") of them)"
[ -s "$DIR/codes.txt" ] || { echo "no short links: redirects not measured" >&2; exit 1; }
for n in $COUNTS; do
  start_nodes "$n"
  for target in const stored; do
    prefix=$([ $target = stored ] && echo "/l/" || echo "/health?c=")
    out=$(wrk -t2 -c64 -d"${REDIRECT_SECONDS}s" --latency -s "$LUA/redirects.lua" "$BASE" -- "$DIR/codes.txt" "$prefix" 2>&1)
    rps=$(sed -nE 's/^Requests\/sec: +([0-9.]+)/\1/p' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out"); p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    errs=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
    echo "nodes $n $target: $rps req/s, p50 $p50, p99 $p99 $errs; load $(load)"
  done
  stop_nodes
done
echo
echo "clicks stored: $(q "SELECT count(*) FROM clicks") (journals drained by the nodes at stop)"
