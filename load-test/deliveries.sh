#!/usr/bin/env bash
# Webhook deliveries/s against the endpoint's latency and a subscription's maxInFlight, with 200 authors
# writing evenly, and the app's and PostgreSQL's CPU per delivery (DeliveryBenchmark: the receiver is in the
# benchmark's JVM, whose CPU is not counted). One app on its embedded defaults, --auth none.
#   load-test/deliveries.sh                                  # LATENCIES=0,20,100 IN_FLIGHTS=1,16,64,256
#   LATENCIES=100 IN_FLIGHTS=64 load-test/deliveries.sh      # one cell
#   JAR=/path/to/fanout.jar SKIP_BUILD=1 ...                 # another jar
# Everything listens on 127.0.0.1; each cell publishes at most MAX_EVENTS and its drain is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
source load-test/lib.sh
APP_PORT=${APP_PORT:-18193}
JAR=${JAR:-app/target/fanout.jar}
TOKEN=deliveries-admin-token-0123456789

lib_build ""
work=$(mktemp -d /tmp/fanout-deliveries.XXXXXX)
cleanup() {
  lib_cleanup
  [ "${KEEP_WORK:-0}" = 1 ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

javac -d "$work/bench" -cp "$JAR" load-test/src/main/java/dev/fanout/loadtest/DeliveryBenchmark.java
start_app "$JAR" "$APP_PORT" "$work/app" "$work/app.log" --admin-token "$TOKEN" --auth none \
  --subscriptions-allow-private
echo "== $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) jar=$JAR cores=$(nproc) load_before=\"$(loadavg)\""
java -Xmx256m -Dbench.url="http://127.0.0.1:$APP_PORT" -Dbench.admin-token="$TOKEN" -Dbench.app-pid="$APP_PID" \
  -Dbench.pg-dir="$work/app/pg" -Dbench.latencies="${LATENCIES:-0,20,100}" -Dbench.in-flights="${IN_FLIGHTS:-1,16,64,256}" \
  -Dbench.authors="${AUTHORS:-200}" -Dbench.seconds="${SECONDS_PER_CELL:-6}" -Dbench.max-events="${MAX_EVENTS:-6000}" \
  -cp "$work/bench:$JAR" dev.fanout.loadtest.DeliveryBenchmark
echo "load_after=\"$(loadavg)\""
