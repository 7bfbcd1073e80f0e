#!/usr/bin/env bash
# Latency at a share of capacity, open model: per run a fresh app (memory stream, Lucene, as capacity.sh starts
# it) first has its capacity measured exactly as capacity.sh does (wrk's closed loop, lib.sh's measure_capacity:
# CAPACITY_WARMUP s unmeasured, CAPACITY_DURATION s measured), is drained, and then takes PacedClient's paced
# publishes at SHARE of that measured rate (or at RATE/s when RATE is set): publish i is due at start + i/rate
# and sent then whether or not earlier ones answered, latency from the due time. Printed per run: capacity.sh's
# figures, then PacedClient's key=value lines: rate target and achieved, HTTP p50/p99/max, publish-to-counted
# and publish-to-searchable p50/p99 (probes polling the author count and the search, ~20/s), the generator's
# own CPU (generator_cpu_cores, from /proc over the measured window) and the app's and PostgreSQL's CPU per
# publish over that same window; then the drain and the audit (every publish counted and searchable: empty).
# inflight_limit_hit above 0 means the client hit its bound on unanswered publishes: that run is invalid.
#   load-test/latency.sh                                  # SHARE=0.5 of the measured capacity, WARMUP=20 DURATION=60
#   RATE=1000 load-test/latency.sh                        # a fixed rate (the capacity is still measured and printed)
#   SUBSCRIPTIONS=1 RATE=1000 load-test/latency.sh        # + one webhook subscription to PacedClient's own receiver
#                                                         # (answers 204 at once): publish-to-delivered, missing;
#                                                         # it exists in the paced run only (capacity is without it)
#   JARS="/tmp/before.jar app/target/fanout.jar" ROUNDS=2 load-test/latency.sh   # jars side by side, interleaved
#   CAPACITY_WARMUP=60 CAPACITY_DURATION=60 ...           # capacity.sh's own durations (30 and 30 here)
#   APP_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/app.jfr,settings=profile" ...   # JFR of the app
#   CLIENT_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/client.jfr" ...             # JFR of the generator
#   CLIENT_OPTS="--probes-per-second=10 --connections=64" ...                           # PacedClient's settings
#   APP_FLAGS="--lucene-refresh-ms=100" ...                                              # app flags for every run
#   PG_STATS=1 ...   # pg_stat_statements over the paced run (warm-up included): calls and execution ms per publish
# Author tokens: minted once per app (lib.sh's mint_tokens, author-1..author-1000) for wrk; PacedClient reads
# them from that file and mints its probes' authors itself, all before its warm-up.
# PacedClient is compiled with javac against CLIENT_JAR (this checkout's app jar, which carries Vert.x and
# HdrHistogram) and runs in a JVM of its own (-Xmx256m, serial GC), whatever jar is measured. Builds the app
# jar unless SKIP_BUILD=1. Everything listens on 127.0.0.1; each run is bounded by the capacity windows, the
# paced warm-up + duration, and drains of at most DRAIN seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source load-test/lib.sh
CAPACITY_WARMUP=${CAPACITY_WARMUP:-30}
CAPACITY_DURATION=${CAPACITY_DURATION:-30}
CONNECTIONS=${CONNECTIONS:-32}
SHARE=${SHARE:-0.5}
RATE=${RATE:-}
WARMUP=${WARMUP:-20}
DURATION=${DURATION:-60}
DRAIN=${DRAIN:-300}
ROUNDS=${ROUNDS:-1}
SUBSCRIPTIONS=${SUBSCRIPTIONS:-0}
APP_PORT=${APP_PORT:-18195}
RECEIVER_PORT=${RECEIVER_PORT:-18196}
JARS=${JARS:-app/target/fanout.jar}
CLIENT_JAR=${CLIENT_JAR:-app/target/fanout.jar}
TOKEN=latency-admin-token-0123456789

command -v wrk >/dev/null || { echo "latency.sh needs wrk: apt-get install wrk" >&2; exit 1; }
lib_build ""
work=$(mktemp -d /tmp/fanout-latency.XXXXXX)
cleanup() {
  lib_cleanup
  [ "${KEEP_WORK:-0}" = 1 ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT
javac -d "$work/client" -cp "$CLIENT_JAR" load-test/src/main/java/dev/fanout/loadtest/PacedClient.java \
  load-test/src/main/java/dev/fanout/loadtest/{PacedSettings,PublishBodies,ProcCpu}.java

run=0
for round in $(seq 1 "$ROUNDS"); do
  for jar in $JARS; do
    run=$((run + 1))
    flags=(--admin-token "$TOKEN")
    # shellcheck disable=SC2206
    flags+=(${APP_FLAGS:-})
    client_flags=()
    if [ "$SUBSCRIPTIONS" = 1 ]; then
      flags+=(--subscriptions-allow-private)
      client_flags+=(--receiver-port "$RECEIVER_PORT")
    fi
    data="$work/app-$run"
    APP_JAVA_OPTS="${APP_JAVA_OPTS:-}$([ "${PG_STATS:-0}" = 1 ] && echo " -Dfanout.pg.statement-stats=true")" \
    start_app "$jar" "$APP_PORT" "$data" "$work/app-$run.log" "${flags[@]}"
    echo "== $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) round=$round jar=$jar subscriptions=$SUBSCRIPTIONS load_before=\"$(loadavg)\""
    TOKENS="$work/tokens-$run.txt"
    mint_tokens "$APP_PORT" "$TOKEN" 1000 "$TOKENS" ||
      { echo "latency.sh: could not mint author tokens from jar=$jar (app log: $work/app-$run.log)" >&2; KEEP_WORK=1; exit 1; }
    echo "-- capacity: wrk, $CONNECTIONS connections, warmup=${CAPACITY_WARMUP}s duration=${CAPACITY_DURATION}s"
    [ "$CAPACITY_WARMUP" -gt 0 ] && wrk_load "$APP_PORT" "$TOKENS" "$CONNECTIONS" "$CAPACITY_WARMUP" "$work/warmup-$run.txt"
    measure_capacity "$APP_PORT" "$data" "$TOKENS" "$CONNECTIONS" "$CAPACITY_DURATION" "$work/wrk-$run.txt"
    drain "$APP_PORT" "$DRAIN"
    rate=${RATE:-$(awk -v c="$CAPACITY_RATE" -v s="$SHARE" 'BEGIN { printf "%.0f", c * s }')}
    echo "-- paced: rate=$rate/s ($([ -n "$RATE" ] && echo "RATE" || echo "SHARE=$SHARE of $CAPACITY_RATE/s")) warmup=${WARMUP}s duration=${DURATION}s load_before=\"$(loadavg)\""
    if [ "${PG_STATS:-0}" = 1 ]; then
      psql_app "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()" >/dev/null
    fi
    # shellcheck disable=SC2086
    if ! java -Xmx256m -XX:+UseSerialGC ${CLIENT_JAVA_OPTS:-} -cp "$work/client:$CLIENT_JAR" dev.fanout.loadtest.PacedClient \
        --url "http://127.0.0.1:$APP_PORT" --admin-token "$TOKEN" --tokens-file "$TOKENS" --rate "$rate" \
        --warmup "$WARMUP" --duration "$DURATION" --app-pid "$APP_PID" --pg-dir "$data/pg" \
        "${client_flags[@]}" ${CLIENT_OPTS:-} 2> "$work/client-$run.log"; then
      echo "latency.sh: PacedClient failed: $(tail -c 1000 "$work/client-$run.log")" >&2
      KEEP_WORK=1; exit 1
    fi
    if [ "${PG_STATS:-0}" = 1 ]; then
      paced=$((rate * (WARMUP + DURATION)))
      echo "pg_stat_statements over the paced run, $paced publishes due (per publish: calls, execution ms; then the statement):"
      psql_app "SELECT round(calls::numeric / $paced, 3) AS calls_per_publish,
                round((total_exec_time / $paced)::numeric, 4) AS exec_ms_per_publish,
                left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS statement
                FROM pg_stat_statements WHERE calls > 0 ORDER BY total_exec_time DESC LIMIT 25"
    fi
    drain_and_audit "$APP_PORT" "$TOKEN" "$DRAIN"
    stop_app
  done
done
