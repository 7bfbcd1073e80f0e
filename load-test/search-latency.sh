#!/usr/bin/env bash
# Publish-to-searchable (and publish-to-counted) latency, Lucene against OpenSearch, side by side in one run.
# Each engine gets a fresh app (in-memory stream, embedded PostgreSQL) under a steady publish load from
# PublishProbe. Everything listens on 127.0.0.1; the load is bounded by RATE and DURATION.
#   load-test/search-latency.sh                     # RATE=200 DURATION=30 WARMUP=90 by default
#   RATE=100 ENGINES=lucene load-test/search-latency.sh
#   JARS="/tmp/before.jar app/target/fanout.jar" load-test/search-latency.sh   # before and after, interleaved
#   FLAGS="--lucene-refresh-ms=0 --lucene-refresh-ms=50" ...   # app flag sets, interleaved; ',' joins flags of one set
#   APP_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/x.jfr,settings=profile" ...   # extra JVM flags for the app
#   PROBE_OPTS="-Dprobe.every=20 -Dprobe.poll.ms=50" ...   # the probe's settings; OS_HEAP=1g ...  # OpenSearch's heap (256m)
# Writes need author tokens: each app gets an admin token (--admin-token), which the probe is given
# (-Dprobe.admin-token) to mint, before it publishes, a token for every author it publishes as; it sends
# each publish with its author's token. A jar from before author tokens answers the minting with 404: the
# probe then publishes without tokens (that jar takes any write) and says so; any other minting failure
# stops the probe (and the script).
# Builds the app jar in this checkout (nothing is installed into ~/.m2) unless SKIP_BUILD=1; the probe is
# compiled against that jar, which carries everything it needs (Vert.x JSON, HdrHistogram).
set -euo pipefail
cd "$(dirname "$0")/.."
source load-test/lib.sh
RATE=${RATE:-200}
DURATION=${DURATION:-30}
# Seconds of unmeasured publishes at RATE first. On two cores a fresh app's JIT (C2) keeps one core about
# two-thirds busy for over a minute; measured with 10 s of warm-up, that showed as p99s 2-3x the warm ones.
WARMUP=${WARMUP:-90}
APP_PORT=${APP_PORT:-18181}
OS_PORT=${OS_PORT:-19200}
ENGINES=${ENGINES:-lucene opensearch}
JARS=${JARS:-app/target/fanout.jar}
FLAGS=${FLAGS:-none}
APP_JAVA_OPTS=${APP_JAVA_OPTS:-}
ADMIN_TOKEN=search-latency-admin-token-0123456789

lib_build "$ENGINES"
work=$(mktemp -d /tmp/fanout-search-latency.XXXXXX)
chmod 755 "$work"
probe_jar=$(set -- $JARS; echo "$1")
javac -d "$work/probe" -cp "$probe_jar" load-test/src/main/java/dev/fanout/loadtest/PublishProbe.java
cleanup() {
  lib_cleanup
  [ "${KEEP_WORK:-0}" = 1 ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

if [[ " $ENGINES " == *" opensearch "* ]]; then
  start_opensearch "$work" "$OS_PORT"
fi

run=0
for engine in $ENGINES; do
  for variant in $FLAGS; do
    for jar in $JARS; do
      run=$((run + 1))
      app_flags "$engine" "$variant" "$OS_PORT"
      # start_app turns the per-client publish rate limit off (its default, 2,000/s, is far above these rates)
      start_app "$jar" "$APP_PORT" "$work/app-$run-$engine" "$work/app-$run-$engine.log" --admin-token "$ADMIN_TOKEN" \
        "${APP_FLAGS[@]}"
      echo "== engine=$engine flags=$variant jar=$jar rate=$RATE/s duration=${DURATION}s load_before=\"$(loadavg)\""
      cpu_before=$(app_cpu_seconds)
      java -Xmx512m -Dprobe.url="http://127.0.0.1:$APP_PORT" -Dprobe.rate="$RATE" -Dprobe.seconds="$DURATION" \
        -Dprobe.warmup="$WARMUP" -Dprobe.admin-token="$ADMIN_TOKEN" \
        ${PROBE_OPTS:-} -cp "$work/probe:$probe_jar" dev.fanout.loadtest.PublishProbe
      echo "load_after=\"$(loadavg)\" app_cpu_seconds_during_probe=$(awk -v a="$(app_cpu_seconds)" -v b="$cpu_before" 'BEGIN { printf "%.1f", a - b }')"
      stop_app
    done
  done
done
