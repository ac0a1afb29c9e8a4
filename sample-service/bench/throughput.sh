#!/usr/bin/env bash
# Throughput, p99 and CPU per request of the sample-service with the whole contract on (request
# spans exported over OTLP to a sink, request timers, JSON logs) against the same jar with request
# instrumentation off (SAMPLE_REQUEST_INSTRUMENTATION=false, OTEL_SDK_DISABLED=true), plus the time
# from process start to ready. Load comes from wrk, a separate process, over loopback; everything
# runs on this machine and stops by itself. Prints a Markdown table for docs/benchmarks.md.
#
# The sink (SpanSink.java) counts the spans it receives; every traced run reports the spans
# expected (requests the service counted in http.server.requests x SPANS_PER_REQUEST x the
# sampling ratio), received and missing. CPU is the user+system time of the process's threads
# (/proc/PID/task/*/stat, JIT compiler threads left out) over the measured wrk run, divided by the
# requests wrk got answered in it; the sink's CPU is measured the same way, apart.
#
#   sample-service/bench/throughput.sh            (needs wrk: apt-get install wrk)
#   DURATION=30s CONNECTIONS=64 ROUNDS=3 SAMPLING=0.25 sample-service/bench/throughput.sh
#
# Arguments name the variants run in each round, in order (default: off on). "off" is the
# uninstrumented baseline; any other name is the whole contract on, plus the environment
# assignments after a colon, to measure one setting against another in the same run
# (JAR=path runs another build of the service, e.g. a copy of the jar and lib/ from before a change):
#   sample-service/bench/throughput.sh off on 'batch2048:OTEL_BSP_MAX_EXPORT_BATCH_SIZE=2048'
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${DURATION:-20s}
warmup=${WARMUP:-10s}
connections=${CONNECTIONS:-32}
rounds=${ROUNDS:-2}
sampling=${SAMPLING:-1.0}   # the share of traces kept, as spec.telemetry.samplingRatio sets it
spans_per_request=${SPANS_PER_REQUEST:-2}   # GET /items/{id}: SERVER + the inventory CLIENT span
port=${PORT:-18080}
sink_port=${SINK_PORT:-14318}
jar=sample-service/target/sample-service.jar
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(off on)

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
[ -f "$jar" ] || ./mvnw -B -q -pl sample-service package -DskipTests
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
ticks=$(getconf CLK_TCK)

# user + system CPU of a process's live threads so far, in clock ticks, leaving out the JIT
# compiler threads: compiling is a warm-up cost, and on a loaded machine it is still going on long
# after the warm-up run. The thread name is field 2, in parentheses, and may contain spaces.
cpu_ticks() {
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{
    name = substr($0, index($0, "(") + 1, index($0, ")") - index($0, "(") - 1)
    split(substr($0, index($0, ")") + 2), f, " ")
    if (name !~ /^C[12] CompilerThre/) ticks += f[12] + f[13]
  } END {print ticks + 0}'
}

java sample-service/bench/SpanSink.java "$sink_port" \
  >"$work/sink.log" 2>&1 &
sink_pid=$!
pids+=("$sink_pid")
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "http://127.0.0.1:$sink_port/count" && break
  sleep 0.1
done

# run VARIANT: starts the service, waits until ready, warms up, measures; prints
# "rps p99 startup_ms cpu_us_per_request sink_cpu_us_per_request spans_expected spans_received"
run() {
  local variant=$1 name=${1%%:*} log="$work/service.log" service_jar=$jar
  local env=(PORT="$port" BIND_ADDRESS=127.0.0.1 OPERATED_DRAIN_SECONDS=0 LOG_LEVEL=INFO)
  if [ "$name" = off ]; then
    env+=(SAMPLE_REQUEST_INSTRUMENTATION=false OTEL_SDK_DISABLED=true)
  else
    env+=(OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port"
          OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
          OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG="$sampling")
    if [ "$variant" != "$name" ]; then
      read -r -a extra <<<"${variant#*:}"
      for assignment in "${extra[@]}"; do
        case $assignment in
          JAR=*) service_jar=${assignment#JAR=} ;; # another build, e.g. the one before a change
          *) env+=("$assignment") ;;
        esac
      done
    fi
  fi
  curl -fs -o /dev/null "http://127.0.0.1:$sink_port/reset"
  env "${env[@]}" java -XX:MaxRAMPercentage=75 -jar "$service_jar" >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break
    sleep 0.1
  done
  local startup
  startup=$(grep -o '"startup.ms":[0-9]*' "$log" | head -1 | cut -d: -f2)
  wrk -t1 -c"$connections" -d"$warmup" "http://127.0.0.1:$port/items/42" >/dev/null
  local cpu0 sink0 cpu1 sink1
  cpu0=$(cpu_ticks "$pid"); sink0=$(cpu_ticks "$sink_pid")
  wrk -t1 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port/items/42" \
    >"$work/wrk.txt"
  cpu1=$(cpu_ticks "$pid"); sink1=$(cpu_ticks "$sink_pid")
  local served=0
  if [ "$name" != off ]; then
    served=$(curl -fs "http://127.0.0.1:$port/metrics" | awk -F' ' \
      '/^http_server_requests_seconds_count\{/ && /uri="\/items\/\{id\}"/ {n += $NF} END {printf "%d", n}')
  fi
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true # the service flushes its spans before it exits
  if grep -q "Non-2xx" "$work/wrk.txt"; then
    echo "non-2xx answers in variant $variant:" >&2; cat "$work/wrk.txt" >&2; exit 1
  fi
  local rps p99 requests received expected
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  read -r received _ < <(curl -fs "http://127.0.0.1:$sink_port/count")
  expected=$(awk -v n="$served" -v s="$spans_per_request" -v r="$sampling" \
    'BEGIN {printf "%d", n * s * r}')
  echo "$rps $p99 $startup" \
    "$(awk -v t=$((cpu1 - cpu0)) -v k="$ticks" -v n="$requests" 'BEGIN {printf "%.1f", t / k * 1e6 / n}')" \
    "$(awk -v t=$((sink1 - sink0)) -v k="$ticks" -v n="$requests" 'BEGIN {printf "%.1f", t / k * 1e6 / n}')" \
    "$expected $received"
}

echo "Sampling ratio $sampling, $connections connections, $duration per run after $warmup warm-up."
echo
echo "| round | variant | requests/s | p99 | CPU µs/request | sink CPU µs/request | spans expected | spans received | start to ready |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for round in $(seq 1 "$rounds"); do
  for i in "${!variants[@]}"; do
    read -r rps p99 startup cpu sink_cpu expected received < <(run "${variants[$i]}")
    echo "| $round | ${variants[$i]} | $rps | $p99 | $cpu | $sink_cpu | $expected | $received | ${startup} ms |"
    echo "$rps" >>"$work/rps-$i"
    echo "$cpu" >>"$work/cpu-$i"
    echo "$expected $received" >>"$work/spans-$i"
  done
done
median() { sort -n "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo
echo "| variant | median requests/s | ratio to ${variants[0]} | median CPU µs/request | spans expected | spans received | missing |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
base=$(median "$work/rps-0")
for i in "${!variants[@]}"; do
  rps=$(median "$work/rps-$i")
  read -r expected received < <(awk '{e += $1; r += $2} END {printf "%d %d\n", e, r}' "$work/spans-$i")
  echo "| ${variants[$i]} | $rps | $(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}') |" \
    "$(median "$work/cpu-$i") | $expected | $received | $((expected - received)) |"
done
