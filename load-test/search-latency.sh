#!/usr/bin/env bash
# Publish-to-searchable (and publish-to-counted) latency, Lucene against OpenSearch, side by side in one run.
# Each engine gets a fresh app (in-memory stream, embedded PostgreSQL) under a steady publish load from
# PublishProbe. Everything listens on 127.0.0.1; the load is bounded by RATE and DURATION.
#   load-test/search-latency.sh            # RATE=200 DURATION=30 by default
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-200}
DURATION=${DURATION:-30}
APP_PORT=${APP_PORT:-18181}
OS_PORT=${OS_PORT:-19200}
OS_VERSION=2.19.6

./mvnw -B -q install -DskipTests
# the OpenSearch distribution the app's test build unpacks (skipped by -DskipTests)
[ -d "app/target/opensearch/opensearch-$OS_VERSION" ] || ./mvnw -B -q -pl app process-test-resources
work=$(mktemp -d /tmp/fanout-search-latency.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # OpenSearch runs under runuser: stop the server itself, found by its home directory
  pkill -f "$work/opensearch" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
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

# A real OpenSearch from the integ-test zip that the app's build unpacked; not as root.
cp -r "app/target/opensearch/opensearch-$OS_VERSION" "$work/opensearch"
run_as=()
if [ "$(id -u)" = 0 ]; then
  id -u fanout-os >/dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin fanout-os
  chown -R fanout-os: "$work/opensearch"
  run_as=(runuser -u fanout-os --)
fi
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
(cd "$work/opensearch" && env JAVA_HOME="$JAVA_HOME" OPENSEARCH_JAVA_HOME="$JAVA_HOME" \
  OPENSEARCH_JAVA_OPTS="-Xms256m -Xmx256m" "${run_as[@]}" bin/opensearch -Ediscovery.type=single-node \
  -Enetwork.host=127.0.0.1 -Ehttp.port=$OS_PORT -Etransport.port=$((OS_PORT + 100)) \
  -Ecluster.routing.allocation.disk.threshold_enabled=false > "$work/opensearch.log" 2>&1) &
pids+=($!)
if curl -s --max-time 2 "http://127.0.0.1:$OS_PORT" >/dev/null 2>&1; then
  echo "port $OS_PORT is already taken; set OS_PORT" >&2
  exit 1
fi
wait_for "http://127.0.0.1:$OS_PORT/_cluster/health?wait_for_status=yellow&timeout=5s" 120

for engine in lucene opensearch; do
  flags=(--port "$APP_PORT" --data-dir "$work/app-$engine" --search "$engine")
  [ "$engine" = opensearch ] && flags+=(--opensearch-url "http://127.0.0.1:$OS_PORT")
  java -Xmx512m -jar app/target/fanout.jar "${flags[@]}" > "$work/app-$engine.log" 2>&1 &
  app=$!
  wait_for "http://127.0.0.1:$APP_PORT/health/ready" 120
  echo "== engine=$engine rate=$RATE/s duration=${DURATION}s"
  ./mvnw -B -q -f load-test exec:exec@publish-probe -Dprobe.url="http://127.0.0.1:$APP_PORT" \
    -Dprobe.rate="$RATE" -Dprobe.seconds="$DURATION"
  kill "$app"; wait "$app" 2>/dev/null || true
done
