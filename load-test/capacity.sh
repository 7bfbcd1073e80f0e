#!/usr/bin/env bash
# Publish capacity and CPU cost per publish: a light closed-loop generator (Debian's wrk, one thread) posts
# ~1,300-character blogs from Zipf-like authors as fast as the app answers. Per run it prints publishes/s,
# HTTP p50/p99, and the CPU the app JVM and the embedded PostgreSQL (postmaster and every backend) spent
# per publish, read from /proc before and after the measured window; then it drains the groups and runs
# the audit (every publish counted and searchable: an empty audit).
#   load-test/capacity.sh                                   # WARMUP=60 DURATION=60 CONNECTIONS=32
#   JARS="/tmp/before.jar app/target/fanout.jar" load-test/capacity.sh     # jars side by side, interleaved
#   FLAGS="none --backend=kafka" load-test/capacity.sh      # app flag sets, ',' joins the flags of one set
#   ROUNDS=2 ...                                            # repeat the whole matrix
#   APP_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/x.jfr,settings=profile" ...
#   PG_STATS=1 ...     # pg_stat_statements over the measured window: calls and execution time per publish
#   SUBSCRIPTIONS="0 1 3" ...   # each run with that many webhook subscriptions, each to a receiver of its own
#                               # (the jar's `receiver`, answering at once; its CPU is not counted as the app's)
#   TRACING="off 0.1 1" ...     # each run with OpenTelemetry tracing off, or on with that sampling ratio
#                               # (parentbased_traceidratio), exporting OTLP over HTTP to a sink of its own
#                               # (otlp-sink.py: reads each export and answers 200; its CPU is not counted as
#                               # the app's), with a span queue of 65,536 so that no span is dropped
# Writes need author tokens: once the app is ready, lib.sh's mint_tokens mints one per author (author-1 ..
# author-1000, with the admin token given to the app) into the work directory, and publish.lua sends each
# publish with its author's token (TOKENS_FILE). A jar from before author tokens (404) or an app run with
# --auth none needs none: those runs go without tokens, said in one line; any other minting failure stops
# the script. What the token checks cost: FLAGS="none --auth=none" runs the same jar with and without them.
# Builds the app jar in this checkout unless SKIP_BUILD=1. Everything listens on 127.0.0.1; each run is
# bounded by WARMUP + DURATION seconds of load and a drain of at most DRAIN seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source load-test/lib.sh
WARMUP=${WARMUP:-60}
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-32}
DRAIN=${DRAIN:-300}
ROUNDS=${ROUNDS:-1}
APP_PORT=${APP_PORT:-18191}
JARS=${JARS:-app/target/fanout.jar}
FLAGS=${FLAGS:-none}
TOKEN=capacity-admin-token-0123456789

command -v wrk >/dev/null || { echo "capacity.sh needs wrk: apt-get install wrk" >&2; exit 1; }
lib_build ""
work=$(mktemp -d /tmp/fanout-capacity.XXXXXX)
cleanup() {
  lib_cleanup
  [ "${KEEP_WORK:-0}" = 1 ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

# subscribe N JAR RUN: N subscriptions (latest) of the running app, each to a receiver of its own on
# 127.0.0.1, started with the secret its subscription's answer gave
subscribe() {
  local n=$1 jar=$2 run=$3 i port secret
  for i in $(seq 1 "$n"); do
    port=$((APP_PORT + 100 + i))
    secret=$(curl -fs -X POST "http://127.0.0.1:$APP_PORT/api/admin/subscriptions" -H "Authorization: Bearer $TOKEN" \
      -H 'content-type: application/json' -d "{\"name\": \"load-$i\", \"url\": \"http://127.0.0.1:$port/hooks\"}" \
      | grep -o '"secret":"[^"]*"' | cut -d'"' -f4)
    [ -n "$secret" ] || { echo "capacity.sh: could not create subscription load-$i" >&2; exit 1; }
    java -Xmx128m -jar "$jar" receiver --port "$port" --secret "$secret" > /dev/null 2> "$work/receiver-$run-$i.log" &
    LIB_PIDS+=("$!")
    RECEIVERS+=("$!")
    # any answer will do: the receiver refuses an unsigned GET
    for _ in $(seq 1 60); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" && break; sleep 1; done
  done
}
RECEIVERS=()

run=0
for round in $(seq 1 "$ROUNDS"); do
  for subscriptions in ${SUBSCRIPTIONS:-0}; do
  for variant in $FLAGS; do
    for tracing in ${TRACING:-off}; do
    for jar in $JARS; do
      run=$((run + 1))
      flags=(--admin-token "$TOKEN")
      [ "$subscriptions" -gt 0 ] && flags+=(--subscriptions-allow-private)
      if [ "$variant" != none ]; then
        IFS=, read -r -a extra <<< "$variant"
        flags+=("${extra[@]}")
      fi
      data="$work/app-$run"
      tracing_opts=""
      if [ "$tracing" != off ]; then
        otlp_port=$((APP_PORT + 200))
        python3 "$(dirname "$0")/otlp-sink.py" "$otlp_port" > "$work/otlp-sink-$run.log" 2>&1 &
        LIB_PIDS+=("$!")
        RECEIVERS+=("$!")
        for _ in $(seq 1 60); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$otlp_port/" && break; sleep 1; done
        tracing_opts=" -Dotel.traces.exporter=otlp -Dotel.exporter.otlp.endpoint=http://127.0.0.1:$otlp_port"
        tracing_opts+=" -Dotel.traces.sampler=parentbased_traceidratio -Dotel.traces.sampler.arg=$tracing"
        tracing_opts+=" -Dotel.bsp.max.queue.size=65536"
      fi
      APP_JAVA_OPTS="${APP_JAVA_OPTS:-}$([ "${PG_STATS:-0}" = 1 ] && echo " -Dfanout.pg.statement-stats=true")$tracing_opts" \
        start_app "$jar" "$APP_PORT" "$data" "$work/app-$run.log" "${flags[@]}"
      subscribe "$subscriptions" "$jar" "$run"
      echo "== round=$round subscriptions=$subscriptions flags=$variant tracing=$tracing jar=$jar connections=$CONNECTIONS warmup=${WARMUP}s duration=${DURATION}s load_before=\"$(loadavg)\""
      TOKENS="$work/tokens-$run.txt"
      minted=0
      mint_tokens "$APP_PORT" "$TOKEN" 1000 "$TOKENS" || minted=$?
      case $minted in
        0) ;;
        2) echo "jar=$jar flags=$variant needs no author tokens (a jar from before them, or --auth none): its publishes go without"; TOKENS="" ;;
        *) echo "capacity.sh: could not mint author tokens from jar=$jar (app log: $work/app-$run.log); stopping" >&2
           KEEP_WORK=1; exit 1 ;;
      esac
      [ "$WARMUP" -gt 0 ] && wrk_load "$APP_PORT" "$TOKENS" "$CONNECTIONS" "$WARMUP" "$work/warmup-$run.txt"
      if [ "${PG_STATS:-0}" = 1 ]; then
        psql_app "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()" >/dev/null
      fi
      measure_capacity "$APP_PORT" "$data" "$TOKENS" "$CONNECTIONS" "$DURATION" "$work/wrk-$run.txt"
      published=$CAPACITY_PUBLISHED
      if [ "${PG_STATS:-0}" = 1 ]; then
        echo "pg_stat_statements over the window (per publish: calls, execution ms; then the statement):"
        psql_app "SELECT round(calls::numeric / $published, 3) AS calls_per_publish,
                  round((total_exec_time / $published)::numeric, 4) AS exec_ms_per_publish,
                  left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS statement
                  FROM pg_stat_statements WHERE calls > 0 ORDER BY total_exec_time DESC LIMIT 20"
      fi
      drain_and_audit "$APP_PORT" "$TOKEN" "$DRAIN"
      stop_app
      for pid in "${RECEIVERS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
      RECEIVERS=()
      [ "$tracing" = off ] || tail -1 "$work/otlp-sink-$run.log"
    done
    done
  done
  done
done
