#!/usr/bin/env bash
# Gatling load runs against a fresh Fanout app, with the end-to-end figures beside Gatling's.
#   load-test/gatling.sh publish      # publish-heavy mix (90% publishes), RATE=5000 requests/s
#   load-test/gatling.sh read         # searches and author counts, RATE=1000, beside RATE/10 publishes
#   load-test/gatling.sh steady       # publishes only at a steady RATE=1000/s, for latency
#   load-test/gatling.sh saturate     # publishes only from USERS=64 clients in a closed loop: the sustained rate
#   load-test/gatling.sh pg-ceiling   # PostgreSQL alone: blog + outbox inserts, 1, 10 and 64 per transaction
#   PG_MODE=writeset load-test/gatling.sh pg-ceiling   # the app's whole write set per publish, and PG CPU per publish
# Settings (environment): RATE, DURATION (seconds, 60), RAMP (10), CONFIGS (default "memory:lucene"; e.g.
# "memory:lucene kafka:lucene memory:opensearch" runs the same simulation against each, one after the
# other in one run), JARS (app jars, default app/target/fanout.jar; several run interleaved), APP_JAVA_OPTS
# (extra JVM flags for the app, e.g. a JFR recording), WARMUP (seconds of unmeasured steady publishes at
# WARMUP_RATE, at most 300/s by default, before the measured run; 60, 0 for none), CONNECTIONS (connections per host Gatling asks for, 200),
# USERS (saturate: concurrent clients, 64), FLAGS (app flag sets run one after the other, e.g.
# "--lucene-refresh-ms=50 --lucene-refresh-ms=200"; ',' joins the flags of one set; none by default),
# AUTHORS (10000: the Zipf-distributed authors author-1..author-AUTHORS the simulations publish as),
# SKIP_BUILD=1, KEEP_WORK=1.
# Writes need author tokens: once each app is ready, lib.sh's mint_tokens mints one per author (with the
# admin token given to the app) into the work directory, and the warm-up and the measured run read that
# file (-Dfanout.tokens) and send every publish with its author's token. A jar from before author tokens
# answers the minting with 404: its runs publish without tokens (it takes any write), said in one line;
# any other minting failure stops the script.
# Prints per run: the load average before and after, Gatling's global figures (its HTML report is under
# load-test/gatling/target/gatling/), publish-to-counted and publish-to-searchable from the app's
# per-group latency histograms (every event handled during the run and its drain), and the app's peak heap.
# Everything listens on 127.0.0.1; every run is bounded by RATE and DURATION; what it starts it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
source load-test/lib.sh
what=${1:?usage: load-test/gatling.sh publish|read|steady|saturate|pg-ceiling}
DURATION=${DURATION:-60}
RAMP=${RAMP:-10}
APP_PORT=${APP_PORT:-18181}
OS_PORT=${OS_PORT:-19200}
CONFIGS=${CONFIGS:-memory:lucene}
JARS=${JARS:-app/target/fanout.jar}
FLAGS=${FLAGS:-none}
WARMUP=${WARMUP:-60}
AUTHORS=${AUTHORS:-10000}
ADMIN_TOKEN=gatling-admin-token-0123456789
case "$what" in
  publish) simulation=PublishSimulation; RATE=${RATE:-5000} ;;
  read) simulation=ReadSimulation; RATE=${RATE:-1000} ;;
  steady) simulation=SteadySimulation; RATE=${RATE:-1000} ;;
  saturate) simulation=SaturationSimulation; RATE=${RATE:-300} ;; # RATE only sets the warm-up's rate here
  pg-ceiling) ;;
  *) echo "unknown run '$what': publish, read, steady, saturate or pg-ceiling" >&2; exit 2 ;;
esac
WARMUP_RATE=${WARMUP_RATE:-$(( ${RATE:-0} < 300 ? ${RATE:-0} : 300 ))}

# Gatling opens a socket per connection and more under backlog; the default 1,024 files is not enough
ulimit -n 65536 2>/dev/null || true
lib_build "$CONFIGS"
work=$(mktemp -d /tmp/fanout-gatling.XXXXXX)
chmod 755 "$work"
cleanup() {
  lib_cleanup
  [ "${KEEP_WORK:-0}" = 1 ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

if [ "$what" = pg-ceiling ]; then
  jar=$(set -- $JARS; echo "$1")
  javac -d "$work/classes" -cp "$jar" load-test/src/main/java/dev/fanout/loadtest/PostgresCeiling.java \
    load-test/src/main/java/dev/fanout/loadtest/WriteSet.java load-test/src/main/java/dev/fanout/loadtest/ProcCpu.java
  echo "== pg-ceiling date=$(date -u +%FT%TZ) cores=$(nproc) load_before=\"$(loadavg)\""
  java -Xmx512m -Djava.io.tmpdir="$work" -cp "$work/classes:$jar" dev.fanout.loadtest.PostgresCeiling \
    "${PG_SECONDS:-10}" "${PG_CONNECTIONS:-8}" "${PG_GROUPINGS:-1,10,64}" "${PG_MODE:-pairs}"
  exit 0
fi

if [[ "$CONFIGS" == *opensearch* ]]; then
  start_opensearch "$work" "$OS_PORT"
fi
# compile the simulations once; each run then only starts Gatling
./mvnw -B -q -f load-test/gatling test-compile

run=0
for config in $CONFIGS; do
  backend=${config%%:*}
  engine=${config##*:}
  for variant in $FLAGS; do for jar in $JARS; do
    run=$((run + 1))
    app_flags "$engine" "$variant" "$OS_PORT"
    flags=(--backend "$backend" --admin-token "$ADMIN_TOKEN" "${APP_FLAGS[@]}")
    start_app "$jar" "$APP_PORT" "$work/app-$run" "$work/app-$run.log" "${flags[@]}"
    tokens="$work/tokens-$run.txt"
    tokens_note=""
    minted=0
    mint_tokens "$APP_PORT" "$ADMIN_TOKEN" "$AUTHORS" "$tokens" || minted=$?
    case $minted in
      0) ;;
      2) tokens_note="jar=$jar needs no author tokens (a jar from before them, or --auth none): its publishes go without" ;; # $tokens is empty
      *) echo "gatling.sh: could not mint author tokens from jar=$jar (app log: $work/app-$run.log); stopping" >&2
         KEEP_WORK=1; exit 1 ;;
    esac
    heap_sampler "$APP_PID" "$work/heap-$run.txt"
    if [ "$WARMUP" -gt 0 ]; then
      # a fresh JVM compiles as it goes: publish unmeasured first, then let the groups catch up
      ./mvnw -B -q -f load-test/gatling gatling:test -Dgatling.simulationClass=dev.fanout.loadtest.gatling.SteadySimulation \
        -Dfanout.url="http://127.0.0.1:$APP_PORT" -Dfanout.rate="$WARMUP_RATE" -Dfanout.seconds="$WARMUP" \
        -Dfanout.authors="$AUTHORS" -Dfanout.tokens="$tokens" \
        > "$work/warmup-$run.log" 2>&1 || true
      drain "$APP_PORT" 60
    fi
    curl -fs "http://127.0.0.1:$APP_PORT/metrics" > "$work/metrics-$run-before.txt"
    load="rate=$RATE/s"
    [ "$what" = saturate ] && load="users=${USERS:-64}"
    echo "== $what run=$run backend=$backend search=$engine flags=$variant jar=$jar $load duration=${DURATION}s" \
      "date=$(date -u +%FT%TZ) cores=$(nproc) load_before=\"$(loadavg)\""
    [ -n "$tokens_note" ] && echo "$tokens_note"
    # a failed assertion (a goal not met) still leaves the report and the figures
    ./mvnw -B -f load-test/gatling gatling:test -Dgatling.simulationClass="dev.fanout.loadtest.gatling.$simulation" \
      -Dfanout.url="http://127.0.0.1:$APP_PORT" -Dfanout.rate="$RATE" -Dfanout.seconds="$DURATION" \
      -Dfanout.ramp="$RAMP" -Dfanout.connections="${CONNECTIONS:-200}" -Dfanout.users="${USERS:-64}" \
      -Dfanout.authors="$AUTHORS" -Dfanout.tokens="$tokens" \
      > "$work/gatling-$run.log" 2>&1 || true
    echo "load_after_gatling=\"$(loadavg)\""
    sed -n '/Global Information/,/^=====/p' "$work/gatling-$run.log" | grep -E "request count|throughput|mean requests/sec|percentile|max response|min response|failed|OK=" || tail -20 "$work/gatling-$run.log"
    sed -n '/---- Errors/,/^=====/p' "$work/gatling-$run.log" | grep '^> ' | head -5 || true
    grep -E 'Please open the following file|Global: ' "$work/gatling-$run.log" || true
    drain "$APP_PORT" 60
    curl -fs "http://127.0.0.1:$APP_PORT/metrics" > "$work/metrics-$run-after.txt"
    consumer_latency "$work/metrics-$run-before.txt" "$work/metrics-$run-after.txt"
    stop_app
    peak_heap "$work/heap-$run.txt"
  done; done
done
