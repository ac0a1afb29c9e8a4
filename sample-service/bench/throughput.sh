#!/usr/bin/env bash
# Throughput and p99 of the sample-service with the whole contract on (request spans exported over
# OTLP to a sink, request timers, JSON logs) against the same jar with request instrumentation off
# (SAMPLE_REQUEST_INSTRUMENTATION=false, OTEL_SDK_DISABLED=true), plus the time from process start
# to ready. Load comes from wrk, a separate process, over loopback; everything runs on this machine
# and stops by itself. Prints a Markdown table for docs/benchmarks.md.
#
#   sample-service/bench/throughput.sh            (needs wrk: apt-get install wrk)
#   DURATION=30s CONNECTIONS=64 ROUNDS=3 SAMPLING=0.25 sample-service/bench/throughput.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${DURATION:-20s}
warmup=${WARMUP:-10s}
connections=${CONNECTIONS:-32}
rounds=${ROUNDS:-2}
sampling=${SAMPLING:-1.0}   # the share of traces kept, as spec.telemetry.samplingRatio sets it
port=${PORT:-18080}
sink_port=${SINK_PORT:-14318}
jar=sample-service/target/sample-service.jar

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
[ -f "$jar" ] || ./mvnw -B -q -pl sample-service package -DskipTests
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# An OTLP/HTTP sink that answers every export with 200, as a healthy collector does.
python3 - "$sink_port" >/dev/null 2>&1 <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
pids+=($!)

# run MODE: starts the service, waits until ready, warms up, measures; prints "rps p99 startup_ms"
run() {
  local mode=$1 log="$work/service-$1.log"
  local env=(PORT="$port" BIND_ADDRESS=127.0.0.1 OPERATED_DRAIN_SECONDS=0 LOG_LEVEL=INFO)
  if [ "$mode" = on ]; then
    env+=(OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port"
          OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
          OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG="$sampling")
  else
    env+=(SAMPLE_REQUEST_INSTRUMENTATION=false OTEL_SDK_DISABLED=true)
  fi
  env "${env[@]}" java -XX:MaxRAMPercentage=75 -jar "$jar" >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break
    sleep 0.1
  done
  local startup
  startup=$(grep -o '"startup.ms":[0-9]*' "$log" | head -1 | cut -d: -f2)
  wrk -t1 -c"$connections" -d"$warmup" "http://127.0.0.1:$port/items/42" >/dev/null
  wrk -t1 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port/items/42" \
    >"$work/wrk-$mode.txt"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  local rps p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk-$mode.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk-$mode.txt")
  if grep -q "Non-2xx" "$work/wrk-$mode.txt"; then
    echo "non-2xx answers in mode $mode:" >&2; cat "$work/wrk-$mode.txt" >&2; exit 1
  fi
  echo "$rps $p99 $startup"
}

echo "Sampling ratio $sampling, $connections connections, $duration per run after $warmup warm-up."
echo
echo "| round | instrumentation | requests/s | p99 | start to ready |"
echo "| --- | --- | --- | --- | --- |"
for round in $(seq 1 "$rounds"); do
  for mode in off on; do
    read -r rps p99 startup < <(run "$mode")
    echo "| $round | $mode | $rps | $p99 | ${startup} ms |"
    echo "$rps" >>"$work/rps-$mode"
  done
done
median() { sort -n "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
off=$(median "$work/rps-off")
on=$(median "$work/rps-on")
echo
echo "Median requests/s: off $off, on $on; on/off = $(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.2f", a/b}')"
