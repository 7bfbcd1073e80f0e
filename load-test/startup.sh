#!/usr/bin/env bash
# Start to ready on the embedded defaults: milliseconds from the process start (just before `java -jar`) until
# /health/ready answers 200, on a first start (an empty data dir) and on a restart (the same data dir after a
# clean stop), RUNS times each (5), interleaved across jars; prints every start and the medians per jar.
#   load-test/startup.sh                                                # the app jar of this checkout
#   JARS="$(load-test/jar-of.sh 00f8666) app/target/fanout.jar" load-test/startup.sh   # jars side by side
#   APP_JAVA_OPTS="-Xshare:auto" ...                                    # JVM flags for every start
# The app runs as the README runs it (`java -XX:SharedArchiveFile=<the jar's class-data archive> -jar`, default
# heap and flags, an embedded PostgreSQL, the in-memory stream, Lucene) with --port and --data-dir only; a jar
# without an archive beside it (X.jsa for X.jar: the build writes app/target/fanout.jsa) runs without one. Builds the app jar unless SKIP_BUILD=1. Each
# start waits at most 120 s; the app listens on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=load-test/lib.sh
source load-test/lib.sh

RUNS=${RUNS:-5}
APP_PORT=${APP_PORT:-18311}
JARS=${JARS:-app/target/fanout.jar}

lib_build ""
work=$(mktemp -d /tmp/fanout-startup.XXXXXX)
trap 'lib_cleanup; rm -rf "$work"' EXIT

# ready_ms JAR DATA LOG: starts the app, sets READY_MS to the milliseconds until it was ready, APP_PID; leaves it running
ready_ms() {
  local jar=$1 data=$2 log=$3 start now archive=()
  [ -s "${jar%.jar}.jsa" ] && archive=("-XX:SharedArchiveFile=${jar%.jar}.jsa")
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  java "${archive[@]}" ${APP_JAVA_OPTS:-} -jar "$jar" --port "$APP_PORT" --data-dir "$data" >> "$log" 2>&1 &
  APP_PID=$!
  LIB_PIDS+=("$APP_PID")
  while true; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$APP_PORT/health/ready")" = 200 ]; then
      break
    fi
    now=$(date +%s%N)
    if [ $(( (now - start) / 1000000 )) -gt 120000 ] || ! kill -0 "$APP_PID" 2>/dev/null; then
      echo "startup.sh: the app did not get ready (log: $log)" >&2
      exit 1
    fi
    sleep 0.02
  done
  now=$(date +%s%N)
  READY_MS=$(( (now - start) / 1000000 ))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

declare -A first restart
for run in $(seq 1 "$RUNS"); do
  for jar in $JARS; do
    data="$work/data-$run-$(basename "$jar" .jar)"
    log="$work/app-$run-$(basename "$jar" .jar).log"
    ready_ms "$jar" "$data" "$log"
    f=$READY_MS
    stop_app
    ready_ms "$jar" "$data" "$log"
    r=$READY_MS
    stop_app
    echo "run=$run jar=$jar first_start_ms=$f restart_ms=$r load=\"$(loadavg)\""
    first[$jar]+="$f "
    restart[$jar]+="$r "
    rm -rf "$data"
  done
done
for jar in $JARS; do
  echo "jar=$jar runs=$RUNS first_start_median_ms=$(tr ' ' '\n' <<< "${first[$jar]}" | grep . | median)" \
    "restart_median_ms=$(tr ' ' '\n' <<< "${restart[$jar]}" | grep . | median)"
done
