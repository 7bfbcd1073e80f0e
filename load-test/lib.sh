# Shared pieces of the load scripts (sourced, not run): waiting for a URL, a real OpenSearch from the
# integ-test zip (never as root), a Fanout app with the load-run flags, author tokens minted from it, and
# figures from its /metrics.
# Every process started here is remembered in LIB_PIDS (OpenSearch as its own process group) and ended
# by lib_cleanup, by id.
OS_VERSION=${OS_VERSION:-2.19.6}
LIB_PIDS=()

wait_for() { # url, seconds
  for _ in $(seq 1 "$2"); do
    if curl -fs --max-time 5 "$1" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# builds the app jar in this checkout (nothing goes to ~/.m2) unless SKIP_BUILD=1, and the unpacked
# OpenSearch when $1 mentions opensearch
lib_build() {
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q -pl app -am package -DskipTests
  fi
  if [[ " $1 " == *opensearch* ]] && [ ! -d "app/target/opensearch/opensearch-$OS_VERSION" ]; then
    ./mvnw -B -q -pl app -am process-test-resources
  fi
}

# start_opensearch WORK PORT: a single-node OpenSearch (256 MB heap) under WORK/opensearch, as user
# fanout-os when we are root; returns when the cluster is yellow
start_opensearch() {
  local work=$1 port=$2
  cp -r "app/target/opensearch/opensearch-$OS_VERSION" "$work/opensearch"
  local run_as=()
  if [ "$(id -u)" = 0 ]; then
    id -u fanout-os >/dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin fanout-os
    chown -R fanout-os: "$work/opensearch"
    run_as=(runuser -u fanout-os --)
  fi
  if curl -s --max-time 2 "http://127.0.0.1:$port" >/dev/null 2>&1; then
    echo "port $port is already taken; set OS_PORT" >&2
    return 1
  fi
  local java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
  # its own session, so that lib_cleanup can end runuser and the server together by the group's id
  (cd "$work/opensearch" && exec setsid env JAVA_HOME="$java_home" OPENSEARCH_JAVA_HOME="$java_home" \
    OPENSEARCH_JAVA_OPTS="-Xms${OS_HEAP:-256m} -Xmx${OS_HEAP:-256m}" "${run_as[@]}" bin/opensearch -Ediscovery.type=single-node \
    -Enetwork.host=127.0.0.1 -Ehttp.port="$port" -Etransport.port=$((port + 100)) \
    -Ecluster.routing.allocation.disk.threshold_enabled=false > "$work/opensearch.log" 2>&1) &
  LIB_PIDS+=("-$!")
  wait_for "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=5s" 120
}

# start_app JAR PORT DATA_DIR LOG [app flags...]: the app with -Xmx512m and no publish rate limit;
# sets APP_PID and returns when it is ready
start_app() {
  local jar=$1 port=$2 data=$3 log=$4
  shift 4
  # shellcheck disable=SC2086
  java -Xmx512m ${APP_JAVA_OPTS:-} -jar "$jar" --port "$port" --data-dir "$data" --publish-rate-limit 0 "$@" \
    > "$log" 2>&1 &
  APP_PID=$!
  LIB_PIDS+=("$APP_PID")
  wait_for "http://127.0.0.1:$port/health/ready" 180
}

# mint_tokens PORT ADMIN_TOKEN COUNT FILE [PREFIX]: author tokens for PREFIX1..PREFIXCOUNT (PREFIX
# "author-" by default) from the app's POST /api/admin/authors/{authorId}/tokens, written to FILE as
# "authorId token" lines, in one curl process over a kept-alive connection (10,000 in about 3 s). Tokens
# live TOKEN_TTL seconds (86400). Returns 0 when all COUNT were minted; 2, with FILE empty, when the app
# needs no tokens: it has no minting endpoint (404: a jar from before author tokens) or runs with
# --auth none (409, and /api/info says so); 1 with a message on stderr for any other failure (a wrong admin
# token, tokens from an identity provider, ...).
mint_tokens() {
  local port=$1 admin=$2 count=$3 file=$4 prefix=${5:-author-}
  local base="http://127.0.0.1:$port/api/admin/authors" status
  local config="$file.curl" answers="$file.answers"
  : > "$file"
  # the admin token goes in a config file, not on curl's command line
  {
    echo 'request = "POST"'
    echo "header = \"Authorization: Bearer $admin\""
    echo 'header = "Content-Type: application/json"'
    echo "data = \"{\\\"ttlSeconds\\\":${TOKEN_TTL:-86400}}\""
    echo 'silent'
  } > "$config"
  # one author first: a jar without the endpoint answers 404, anything else but 201 is an error
  status=$(curl -K "$config" --max-time 10 -o "$answers" -w '%{http_code}' "$base/${prefix}1/tokens") ||
    status="$status (curl failed)"
  case $status in
    201) ;;
    404) rm -f "$config" "$answers"; return 2 ;;
    409) if curl -s --max-time 10 "http://127.0.0.1:$port/api/info" | grep -q '"mode":"none"'; then
           rm -f "$config" "$answers"; return 2
         fi
         echo "minting an author token on port $port failed: HTTP 409 $(head -c 300 "$answers")" >&2
         rm -f "$config" "$answers"; return 1 ;;
    *) echo "minting an author token on port $port failed: HTTP $status $(head -c 300 "$answers" 2>/dev/null)" >&2
       rm -f "$config" "$answers"; return 1 ;;
  esac
  # then all of them: each answer is a one-line JSON body followed by a line with its status
  echo 'write-out = "\n%{http_code}\n"' >> "$config"
  seq 1 "$count" | awk -v base="$base" -v prefix="$prefix" '{ printf "url = \"%s/%s%d/tokens\"\n", base, prefix, $1 }' >> "$config"
  if ! curl -K "$config" --max-time 30 > "$answers"; then
    echo "minting $count author tokens on port $port failed: curl stopped after $(($(wc -l < "$answers") / 2)) answers" >&2
    rm -f "$config" "$answers"; return 1
  fi
  if ! awk -v count="$count" -v out="$file" '
      NR % 2 == 1 { body = $0; next }
      { if ($0 != 201 || !match(body, /"authorId":"[^"]*"/)) { printf "HTTP %s %s\n", $0, substr(body, 1, 300); bad = 1; exit }
        id = substr(body, RSTART + 12, RLENGTH - 13)
        if (!match(body, /"token":"[^"]*"/)) { print "no token in " substr(body, 1, 300); bad = 1; exit }
        print id, substr(body, RSTART + 9, RLENGTH - 10) > out; n++ }
      END { if (bad) exit 1; if (n != count) { printf "%d tokens for %d authors\n", n, count; exit 1 } }' "$answers" >&2; then
    echo "minting $count author tokens on port $port failed (above: the first bad answer)" >&2
    rm -f "$config" "$answers"; return 1
  fi
  rm -f "$config" "$answers"
}

# app_flags ENGINE VARIANT OS_PORT: sets APP_FLAGS to the app's search flags for one run: --search ENGINE,
# the flags of VARIANT ("none", or flags joined by ','), and with OpenSearch its URL, whose blog index is
# deleted first so that every run starts from an empty index
app_flags() {
  APP_FLAGS=(--search "$1")
  if [ "$2" != none ]; then
    local extra
    IFS=, read -r -a extra <<< "$2"
    APP_FLAGS+=("${extra[@]}")
  fi
  if [ "$1" = opensearch ]; then
    APP_FLAGS+=(--opensearch-url "http://127.0.0.1:$3")
    curl -s -X DELETE "http://127.0.0.1:$3/fanout-blogs" >/dev/null || true
  fi
}

# app_cpu_seconds: CPU time (user + system) the app process has used so far
app_cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$APP_PID/stat"
}

# pg_cpu_seconds DATA_DIR: CPU (user + system, own and waited-for children's) of the embedded PostgreSQL's
# postmaster and every process it has now
pg_cpu_seconds() {
  local postmaster
  postmaster=$(head -1 "$1/pg/postmaster.pid")
  { cat "/proc/$postmaster/stat"; for child in $(pgrep -P "$postmaster"); do cat "/proc/$child/stat" 2>/dev/null || true; done; } |
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); s += $12 + $13 + $14 + $15 } END { printf "%.2f", s / hz }'
}

# wrk_load PORT TOKENS CONNECTIONS SECONDS OUT: wrk's closed loop (one thread, CONNECTIONS connections,
# publish.lua's bodies) for SECONDS, its summary (with latency percentiles) into OUT; publishes carry the
# tokens of TOKENS (a file from mint_tokens; empty: none). Stops the script when wrk fails.
wrk_load() {
  if ! TOKENS_FILE="$2" wrk -t1 -c"$3" -d"${4}s" --timeout 10s --latency -s load-test/publish.lua \
      "http://127.0.0.1:$1" > "$5" 2>&1; then
    echo "$(basename "$0"): wrk failed: $(head -c 500 "$5")" >&2
    exit 1
  fi
}

# measure_capacity PORT DATA_DIR TOKENS CONNECTIONS SECONDS OUT: capacity.sh's measured window: wrk_load for
# SECONDS, the CPU of the app (APP_PID) and of its embedded PostgreSQL (DATA_DIR) read before and after; prints
# publishes/s, CPU per publish and HTTP p50/p99, and sets CAPACITY_PUBLISHED (2xx answers) and CAPACITY_RATE
# (their rate, per second)
measure_capacity() {
  local port=$1 data=$2 tokens=$3 connections=$4 seconds=$5 out=$6
  local app_before pg_before app_after pg_after requests failed errors
  app_before=$(app_cpu_seconds); pg_before=$(pg_cpu_seconds "$data")
  wrk_load "$port" "$tokens" "$connections" "$seconds" "$out"
  app_after=$(app_cpu_seconds); pg_after=$(pg_cpu_seconds "$data")
  requests=$(awk '/requests in/ { print $1 }' "$out")
  failed=$(awk '/Non-2xx or 3xx responses/ { print $NF }' "$out")
  errors=$(grep -o 'Socket errors:.*' "$out" || true)
  CAPACITY_PUBLISHED=$((requests - ${failed:-0}))
  CAPACITY_RATE=$((CAPACITY_PUBLISHED / seconds))
  awk -v n="$CAPACITY_PUBLISHED" -v d="$seconds" -v a0="$app_before" -v a1="$app_after" -v p0="$pg_before" -v p1="$pg_after" \
    -v failed="${failed:-0}" 'BEGIN {
      printf "publishes=%d publishes_per_s=%.0f refused=%d app_cpu_cores=%.2f pg_cpu_cores=%.2f app_us_per_publish=%.0f pg_us_per_publish=%.0f\n",
        n, n / d, failed, (a1 - a0) / d, (p1 - p0) / d, n ? (a1 - a0) * 1e6 / n : 0, n ? (p1 - p0) * 1e6 / n : 0 }'
  awk '/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } END { printf "http_p50=%s http_p99=%s\n", p50, p99 }' "$out"
  [ -z "$errors" ] || echo "wrk: $errors"
}

# drain_and_audit PORT ADMIN_TOKEN SECONDS: drain (at most SECONDS), then the app's audit; prints how long the
# drain took and the audit's discrepancies (0: every publish counted and searchable)
drain_and_audit() {
  local started audit discrepancies
  started=$(date +%s)
  drain "$1" "$3"
  if audit=$(curl -fs --max-time 120 -H "Authorization: Bearer $2" "http://127.0.0.1:$1/api/audit"); then
    discrepancies=$(printf '%s' "$audit" | awk -v RS='"kind"' 'END { print NR - 1 }')
  else
    discrepancies="? (the audit failed)"
  fi
  echo "drained_in_s=$(( $(date +%s) - started )) audit_discrepancies=$discrepancies load_after=\"$(loadavg)\""
}

stop_app() {
  kill "$APP_PID" 2>/dev/null || true
  wait "$APP_PID" 2>/dev/null || true
}

# heap_sampler PID OUT: jstat every 500 ms into OUT until the process ends; sets SAMPLER_PID
heap_sampler() {
  jstat -gc "$1" 500 > "$2" 2>/dev/null &
  SAMPLER_PID=$!
  LIB_PIDS+=("$SAMPLER_PID")
}

# peak_heap FILE: the largest heap in use (survivors + eden + old, MB) among jstat's samples, and the
# largest old generation (what survives collections)
peak_heap() {
  awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
       $1 ~ /^[0-9.]+$/ { used = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"];
         if (used > peak) peak = used; if ($col["OU"] > old) old = $col["OU"]; n++ }
       END { printf "peak_heap_used_mb=%.0f peak_old_gen_mb=%.0f samples=%d\n", peak / 1024, old / 1024, n }' "$1"
}

# drain PORT SECONDS: waits until both groups have no lag and their processed counts stayed the same for
# two seconds (the outbox relay may still be sending when the stream's lag is zero), or SECONDS pass
drain() {
  local last="" same=0
  for _ in $(seq 1 "$2"); do
    local lag processed
    lag=$(curl -fs --max-time 5 "http://127.0.0.1:$1/api/groups" | grep -o '"lag":[0-9]*' \
      | cut -d: -f2 | paste -sd+ | bc 2>/dev/null || echo 1)
    processed=$(curl -fs --max-time 5 "http://127.0.0.1:$1/metrics" | awk '/^fanout_consumer_processed_total/ { s += $NF } END { print s }')
    if [ "${lag:-1}" = 0 ] && [ "$processed" = "$last" ]; then
      same=$((same + 1))
      [ "$same" -ge 2 ] && return 0
    else
      same=0
    fi
    last=$processed
    sleep 1
  done
  echo "groups still busy after $2 s" >&2
}

# consumer_latency BEFORE AFTER: per group, events handled between two /metrics scrapes and their
# event-time-to-handled p50/p99 (the upper bound of the histogram bucket that holds it), and the max the
# app saw in its last two minutes
consumer_latency() {
  awk -v before="$1" '
    function key(line) { match(line, /group="[^"]*"/); g = substr(line, RSTART + 7, RLENGTH - 8);
                         match(line, /le="[^"]*"/); return g SUBSEP substr(line, RSTART + 4, RLENGTH - 5) }
    FILENAME == before && /^fanout_consumer_latency_seconds_bucket/ { base[key($0)] = $NF; next }
    FILENAME == before { next }
    /^fanout_consumer_latency_seconds_bucket/ { k = key($0); split(k, p, SUBSEP); groups[p[1]] = 1;
      n[p[1]]++; le[p[1], n[p[1]]] = p[2]; cum[p[1], n[p[1]]] = $NF - base[k] }
    /^fanout_consumer_latency_seconds_max/ { match($0, /group="[^"]*"/); mx[substr($0, RSTART + 7, RLENGTH - 8)] = $NF }
    END { for (g in groups) { total = cum[g, n[g]]; p50 = p99 = "-";
            for (i = 1; i <= n[g]; i++) { if (p50 == "-" && cum[g, i] >= 0.5 * total) p50 = le[g, i];
                                          if (p99 == "-" && cum[g, i] >= 0.99 * total) p99 = le[g, i] }
            name = g == "counter" ? "publish_to_counted" : g == "search" ? "publish_to_searchable_written" : g;
            printf "%s group=%s events=%d p50_ms<=%s p99_ms<=%s max_ms=%.0f\n", name, g, total,
              p50 == "-" || p50 == "+Inf" ? p50 : sprintf("%.0f", p50 * 1000),
              p99 == "-" || p99 == "+Inf" ? p99 : sprintf("%.0f", p99 * 1000), mx[g] * 1000 } }' "$1" "$2"
}

lib_cleanup() {
  local pid
  for pid in "${LIB_PIDS[@]}"; do kill -- "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# psql_app SQL: runs SQL in the app's embedded PostgreSQL (its port from /api/info)
psql_app() {
  local port
  port=$(curl -fs "http://127.0.0.1:$APP_PORT/api/info" | grep -o 'port [0-9]*' | cut -d' ' -f2)
  PGPASSWORD=postgres psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -X -q -A -F ' | ' -c "$1"
}
