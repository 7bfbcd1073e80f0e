#!/usr/bin/env bash
# Publish-to-searchable (and publish-to-counted) latency, Lucene against OpenSearch, side by side in one run.
# Each engine gets a fresh app (in-memory stream, embedded PostgreSQL) under a steady publish load from
# PublishProbe. Everything listens on 127.0.0.1; the load is bounded by RATE and DURATION.
#   load-test/search-latency.sh                     # RATE=200 DURATION=30 by default
#   RATE=100 ENGINES=lucene load-test/search-latency.sh
#   JARS="/tmp/before.jar app/target/fanout.jar" load-test/search-latency.sh   # before and after, interleaved
#   APP_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/x.jfr,settings=profile" ...   # extra JVM flags for the app
# Builds the app jar in this checkout (nothing is installed into ~/.m2) unless SKIP_BUILD=1; the probe is
# compiled against that jar, which carries everything it needs (Vert.x JSON, HdrHistogram).
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-200}
DURATION=${DURATION:-30}
APP_PORT=${APP_PORT:-18181}
OS_PORT=${OS_PORT:-19200}
ENGINES=${ENGINES:-lucene opensearch}
JARS=${JARS:-app/target/fanout.jar}
APP_JAVA_OPTS=${APP_JAVA_OPTS:-}
OS_VERSION=2.19.6

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q -pl app -am package -DskipTests
fi
# the OpenSearch distribution the app's test build unpacks (skipped by -DskipTests)
if [[ " $ENGINES " == *" opensearch "* ]] && [ ! -d "app/target/opensearch/opensearch-$OS_VERSION" ]; then
  ./mvnw -B -q -pl app -am process-test-resources
fi
work=$(mktemp -d /tmp/fanout-search-latency.XXXXXX)
chmod 755 "$work"
probe_jar=$(set -- $JARS; echo "$1")
javac -d "$work/probe" -cp "$probe_jar" load-test/src/main/java/dev/fanout/loadtest/PublishProbe.java
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # OpenSearch runs under runuser: stop the server itself, found by its home directory
  pkill -f "$work/opensearch" 2>/dev/null || true
  wait 2>/dev/null || true
  [ "${KEEP_WORK:-0}" = 1 ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

wait_for() { # url, seconds
  for _ in $(seq 1 "$2"); do
    if curl -fs --max-time 5 "$1" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

if [[ " $ENGINES " == *" opensearch "* ]]; then
  # A real OpenSearch from the integ-test zip that the app's build unpacked; not as root.
  cp -r "app/target/opensearch/opensearch-$OS_VERSION" "$work/opensearch"
  run_as=()
  if [ "$(id -u)" = 0 ]; then
    id -u fanout-os >/dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin fanout-os
    chown -R fanout-os: "$work/opensearch"
    run_as=(runuser -u fanout-os --)
  fi
  if curl -s --max-time 2 "http://127.0.0.1:$OS_PORT" >/dev/null 2>&1; then
    echo "port $OS_PORT is already taken; set OS_PORT" >&2
    exit 1
  fi
  JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
  (cd "$work/opensearch" && env JAVA_HOME="$JAVA_HOME" OPENSEARCH_JAVA_HOME="$JAVA_HOME" \
    OPENSEARCH_JAVA_OPTS="-Xms256m -Xmx256m" "${run_as[@]}" bin/opensearch -Ediscovery.type=single-node \
    -Enetwork.host=127.0.0.1 -Ehttp.port=$OS_PORT -Etransport.port=$((OS_PORT + 100)) \
    -Ecluster.routing.allocation.disk.threshold_enabled=false > "$work/opensearch.log" 2>&1) &
  pids+=($!)
  wait_for "http://127.0.0.1:$OS_PORT/_cluster/health?wait_for_status=yellow&timeout=5s" 120
fi

run=0
for engine in $ENGINES; do
  for jar in $JARS; do
    run=$((run + 1))
    flags=(--port "$APP_PORT" --data-dir "$work/app-$run-$engine" --search "$engine")
    if [ "$engine" = opensearch ]; then
      flags+=(--opensearch-url "http://127.0.0.1:$OS_PORT")
      # every run starts from an empty index
      curl -s -X DELETE "http://127.0.0.1:$OS_PORT/fanout-blogs" >/dev/null || true
    fi
    # shellcheck disable=SC2086
    java -Xmx512m $APP_JAVA_OPTS -jar "$jar" "${flags[@]}" > "$work/app-$run-$engine.log" 2>&1 &
    app=$!
    wait_for "http://127.0.0.1:$APP_PORT/health/ready" 120
    echo "== engine=$engine jar=$jar rate=$RATE/s duration=${DURATION}s load_before=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
    java -Xmx512m -Dprobe.url="http://127.0.0.1:$APP_PORT" -Dprobe.rate="$RATE" -Dprobe.seconds="$DURATION" \
      ${PROBE_OPTS:-} -cp "$work/probe:$probe_jar" dev.fanout.loadtest.PublishProbe
    echo "load_after=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
    if ! kill "$app" 2>/dev/null; then echo "the app had exited; its log:"; tail -20 "$work/app-$run-$engine.log"; fi
    wait "$app" 2>/dev/null || true
  done
done
