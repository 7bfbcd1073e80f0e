#!/usr/bin/env bash
# Start to ready with the JVM's CPU time: the starts of load-test/startup.sh (a first start on an empty data dir,
# then a restart on it after a clean stop, each jar with the class-data archive beside it), RUNS times, interleaved
# across jars, printing per start the wall milliseconds until /health/ready answers 200 and the JVM's user +
# system CPU milliseconds at that moment (/proc/<pid>/stat). CPU time says what a start costs when the machine is
# too loaded for wall figures to mean much.
#   RUNS=3 JARS="a/fanout.jar b/fanout.jar" load-test/startup-cpu.sh
# Builds nothing; each start waits at most 120 s; the app listens on 127.0.0.1.
set -euo pipefail
RUNS=${RUNS:-3}
JARS=${JARS:-app/target/fanout.jar}
APP_PORT=${APP_PORT:-18398}
tck=$(getconf CLK_TCK)
work=$(mktemp -d /tmp/fanout-startup-cpu.XXXXXX)
APP_PID=
trap '[ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null; rm -rf "$work"' EXIT

# start_one JAR DATA: prints "wall_ms cpu_ms" of one start, then stops the app cleanly
start_one() {
  local jar=$1 data=$2 start wall cpu archive=()
  [ -s "${jar%.jar}.jsa" ] && archive=("-XX:SharedArchiveFile=${jar%.jar}.jsa")
  start=$(date +%s%N)
  java "${archive[@]}" -jar "$jar" --port "$APP_PORT" --data-dir "$data" > /dev/null 2>&1 &
  APP_PID=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$APP_PORT/health/ready")" = 200 ]; do
    if [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 120000 ] || ! kill -0 "$APP_PID" 2>/dev/null; then
      echo "startup-cpu.sh: the app did not get ready" >&2
      exit 1
    fi
    sleep 0.02
  done
  wall=$(( ($(date +%s%N) - start) / 1000000 ))
  cpu=$(awk -v t="$tck" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$APP_PID/stat")
  kill "$APP_PID"
  wait "$APP_PID" 2>/dev/null || true
  APP_PID=
  echo "$wall $cpu"
}

for run in $(seq 1 "$RUNS"); do
  for jar in $JARS; do
    data="$work/data-$run"
    first=$(start_one "$jar" "$data")
    restart=$(start_one "$jar" "$data")
    echo "run=$run jar=$jar first_wall_cpu_ms=\"$first\" restart_wall_cpu_ms=\"$restart\" load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
    rm -rf "$data"
  done
done
