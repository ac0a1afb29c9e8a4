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
# requests wrk got answered in it; the sink's CPU is measured the same way, apart (with TOGETHER=1,
# over the requests of all the variants of the round).
#
#   sample-service/bench/throughput.sh            (needs wrk: apt-get install wrk)
#   DURATION=30s CONNECTIONS=64 ROUNDS=3 SAMPLING=0.25 sample-service/bench/throughput.sh
#   TOGETHER=1 sample-service/bench/throughput.sh     (the variants of a round run at the same time)
#   LOGS=/tmp/logs sample-service/bench/throughput.sh (keeps each service's log)
#   MEMORY=1g sample-service/bench/throughput.sh       (the pod's memory limit the JVM sizes from)
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java JVM_OPTIONS=-XX:+UseCompactObjectHeaders \
#     sample-service/bench/throughput.sh              (every variant on another JVM, with flags)
#
# Arguments name the variants run in each round, in order (default: off on). A name starting
# with "off" is the uninstrumented baseline; any other is the whole contract on. After a colon,
# environment assignments measure one setting against another in the same run (JAR=path runs
# another build of the service, e.g. a copy of the jar and lib/ from before a change, and
# SPANS_PER_REQUEST=n says how many spans that build makes per request; JAVA=path another JVM):
#   sample-service/bench/throughput.sh off on 'batch2048:OTEL_BSP_MAX_EXPORT_BATCH_SIZE=2048'
#   sample-service/bench/throughput.sh off on 'off25:JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java' \
#     'on25:JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java'
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${DURATION:-20s}
warmup=${WARMUP:-10s}
connections=${CONNECTIONS:-32}
rounds=${ROUNDS:-2}
sampling=${SAMPLING:-1.0}   # the share of traces kept, as spec.telemetry.samplingRatio sets it
spans_per_request=${SPANS_PER_REQUEST:-1}   # GET /items/{id}: its SERVER span
port=${PORT:-18080}
sink_port=${SINK_PORT:-14318}
jar=sample-service/target/sample-service.jar
# the container memory limit the JVM sizes its heap from, as in a pod: the example's 512Mi
# (sample-service/deploy/operatedservice-full.yaml); before 2026-12-03 the host's 24 GiB
memory=${MEMORY:-512m}
java=${JAVA:-java}   # the JVM every variant runs on, e.g. the image's: JAVA=/path/to/jdk-25/bin/java
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(off on)

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
[ -f "$jar" ] || ./mvnw -B -q -pl sample-service package -DskipTests
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]:-}" $(cat "$work"/pid-* 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
ticks=$(getconf CLK_TCK)

# thread_ticks PID: user + system CPU of each live thread of a process so far, in clock ticks, as
# "tid group ticks" lines; a group is a thread name without its number (field 2 of the stat line,
# in parentheses, may contain spaces; the kernel keeps 15 characters of it: "BatchSpanProces")
thread_ticks() {
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{
    name = substr($0, index($0, "(") + 1, index($0, ")") - index($0, "(") - 1)
    sub(/[-#]?[0-9]+$/, "", name); gsub(/ /, "_", name)
    split(substr($0, index($0, ")") + 2), f, " ")
    print $1, name, f[12] + f[13]
  }' | sort -k1,1
}

# without_compilers < THREAD_TICKS: the total, leaving out the JIT compiler threads: compiling is
# a warm-up cost, and on a loaded machine it is still going on long after the warm-up run
without_compilers() {
  awk '$2 !~ /^C[12]_CompilerThre/ {ticks += $3} END {print ticks + 0}'
}

# thread_split I: CPU µs per request by thread group over the measured run, the largest first.
# Threads are matched by id, not name: OkHttp's renames itself while it runs a call ("OkHttp
# http://..."), and matched by name its whole life's CPU was counted under the new one.
thread_split() {
  local requests
  requests=$(awk '/requests in/ {print $1}' "$work/wrk-$1.txt")
  join -a 2 -e 0 -o 0,2.2,1.3,2.3 "$work/threads0-$1" "$work/threads1-$1" | awk -v k="$ticks" -v n="$requests" '
    {delta[$2] += $4 - $3}
    END {for (name in delta) {us = delta[name] / k * 1e6 / n; if (us >= 0.5) printf "%s %.1f\n", name, us}}' |
    sort -k2 -n -r | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2} END {print ""}'
}

java sample-service/bench/SpanSink.java "$sink_port" \
  >"$work/sink.log" 2>&1 &
sink_pid=$!
pids+=("$sink_pid")
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "http://127.0.0.1:$sink_port/count" && break
  sleep 0.1
done

# Each variant of a round is run in three steps: start (the service, until ready), load (wrk:
# warm-up, then the measured run with CPU read around it), stop (SIGTERM: the service flushes
# its spans before it exits, then the sink's count for it is final). With TOGETHER=1 the
# variants of a round go through each step at the same time, each on its own port with its own
# wrk and its own sink path: they share whatever else loads the machine in that minute, which
# is what makes their ratio comparable on shared cores.

# start I VARIANT
start() {
  local i=$1 variant=$2 name=${2%%:*} service_jar=$jar per_request=$spans_per_request
  local variant_java=$java
  local env=(PORT=$((port + i)) BIND_ADDRESS=127.0.0.1 OPERATED_DRAIN_SECONDS=0 LOG_LEVEL=INFO)
  if [[ $name == off* ]]; then
    env+=(SAMPLE_REQUEST_INSTRUMENTATION=false OTEL_SDK_DISABLED=true)
  else
    env+=(OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://127.0.0.1:$sink_port/v1/traces/$i"
          OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG="$sampling")
  fi
  if [ "$variant" != "$name" ]; then
    read -r -a extra <<<"${variant#*:}"
    for assignment in "${extra[@]}"; do
      case $assignment in
        JAR=*) service_jar=${assignment#JAR=} ;; # another build, e.g. the one before a change
        JAVA=*) variant_java=${assignment#JAVA=} ;; # another JVM
        SPANS_PER_REQUEST=*) per_request=${assignment#SPANS_PER_REQUEST=} ;; # that build's
        *) env+=("$assignment") ;;
      esac
    done
  fi
  echo "$per_request" >"$work/spans-per-request-$i"
  # JVM_OPTIONS is a list of flags, given to every variant; a JVM that does not know one (a Java 25
  # flag on Java 17) ignores it, as the images' JVMs do. The image's heap flags, in a JVM that
  # believes it has the pod's memory limit (MEMORY).
  # shellcheck disable=SC2086
  env "${env[@]}" "$variant_java" -XX:MaxRAM="$memory" -XX:MaxRAMPercentage=75 \
    -XX:InitialRAMPercentage=75 -XX:+IgnoreUnrecognizedVMOptions \
    ${JVM_OPTIONS:-} -jar "$service_jar" >"$work/service-$i.log" 2>&1 &
  echo $! >"$work/pid-$i"
}

await_ready() {
  for _ in $(seq 1 600); do
    curl -fs -o /dev/null "http://127.0.0.1:$((port + $1))/readyz" && return
    sleep 0.1
  done
  echo "variant $1 did not get ready:" >&2; cat "$work/service-$1.log" >&2; exit 1
}

# load I: warm-up, then the measured run; CPU ticks of the service and the sink around it
load() {
  local i=$1 pid url="http://127.0.0.1:$((port + $1))/items/42"
  pid=$(cat "$work/pid-$i")
  wrk -t1 -c"$connections" -d"$warmup" "$url" >/dev/null
  thread_ticks "$pid" >"$work/threads0-$i"
  echo "$(without_compilers <"$work/threads0-$i") $(thread_ticks "$sink_pid" | without_compilers)" \
    >"$work/cpu0-$i"
  wrk -t1 -c"$connections" -d"$duration" --latency "$url" >"$work/wrk-$i.txt"
  thread_ticks "$pid" >"$work/threads1-$i"
  echo "$(without_compilers <"$work/threads1-$i") $(thread_ticks "$sink_pid" | without_compilers)" \
    >"$work/cpu1-$i"
  local served=0
  if [[ ${variants[$i]%%:*} != off* ]]; then
    served=$(curl -fs "http://127.0.0.1:$((port + i))/metrics" | awk \
      '/^http_server_requests_seconds_count\{/ && /uri="\/items\/\{id\}"/ {n += $NF} END {printf "%d", n}')
  fi
  echo "$served" >"$work/served-$i"
}

stop() {
  local pid
  pid=$(cat "$work/pid-$1")
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  if [ -n "${LOGS:-}" ]; then # keep the service's log: LOGS=dir
    mkdir -p "$LOGS" && cp "$work/service-$1.log" "$LOGS/round-$round-${variants[$1]%%:*}.log"
  fi
}

# report I: "rps p99 startup_ms cpu_us_per_request sink_cpu_us_per_request expected received"
report() {
  local i=$1 wrk_out="$work/wrk-$1.txt"
  if grep -q "Non-2xx" "$wrk_out"; then
    echo "non-2xx answers in variant ${variants[$i]}:" >&2; cat "$wrk_out" >&2; exit 1
  fi
  local rps p99 requests startup received expected cpu0 sink0 cpu1 sink1
  rps=$(awk '/^Requests\/sec/ {print $2}' "$wrk_out")
  p99=$(awk '$1 == "99%" {print $2}' "$wrk_out")
  requests=$(awk '/requests in/ {print $1}' "$wrk_out")
  startup=$(grep -o '"startup.ms":[0-9]*' "$work/service-$i.log" | head -1 | cut -d: -f2)
  read -r received _ < <(curl -fs "http://127.0.0.1:$sink_port/count/$i")
  expected=$(awk -v n="$(cat "$work/served-$i")" -v s="$(cat "$work/spans-per-request-$i")" -v r="$sampling" \
    'BEGIN {printf "%d", n * s * r}')
  read -r cpu0 sink0 <"$work/cpu0-$i"
  read -r cpu1 sink1 <"$work/cpu1-$i"
  local sink_requests=$requests
  if [ "${TOGETHER:-0}" = 1 ]; then # the sink served every variant of the round at once
    sink_requests=$(cat "$work"/wrk-*.txt | awk '/requests in/ {n += $1} END {print n}')
  fi
  echo "$rps $p99 $startup" \
    "$(awk -v t=$((cpu1 - cpu0)) -v k="$ticks" -v n="$requests" 'BEGIN {printf "%.1f", t / k * 1e6 / n}')" \
    "$(awk -v t=$((sink1 - sink0)) -v k="$ticks" -v n="$sink_requests" 'BEGIN {printf "%.1f", t / k * 1e6 / n}')" \
    "$expected $received" "$(sdk_says "$work/service-$i.log")"
}

# What the service's log says about spans it lost: the BatchSpanProcessor's "dropped N span(s)"
# warnings, the exporter's "Failed to export" (both rate-limited to two lines a minute, so lower
# bounds) and a flush cut short at shutdown.
sdk_says() {
  local dropped failed incomplete said=()
  dropped=$(grep -o 'BatchSpanProcessor dropped [0-9]*' "$1" | awk '{n += $3} END {print n + 0}')
  failed=$(grep -c 'Failed to export' "$1" || true)
  incomplete=$(grep -c '"event":"telemetry_flush_incomplete"' "$1" || true)
  [ "$dropped" -eq 0 ] || said+=("queue full: ≥$dropped dropped")
  [ "$failed" -eq 0 ] || said+=("≥$failed exports failed")
  [ "$incomplete" -eq 0 ] || said+=("flush at exit cut short")
  [ ${#said[@]} -gt 0 ] || said=(-)
  (IFS=";"; echo "${said[*]}")
}

echo "Sampling ratio $sampling, $connections connections, $duration per run after $warmup warm-up," \
  "a JVM sized for a $memory pod $([ "${TOGETHER:-0}" = 1 ] && echo "(the variants of a round at the same time)" || echo "(one at a time)")."
echo "JVM of the variants without JAVA=: $("$java" -version 2>&1 | head -1).${JVM_OPTIONS:+ JVM_OPTIONS for every variant (a JVM ignores those it does not know): $JVM_OPTIONS.}"
echo
echo "| round | variant | requests/s | p99 | CPU µs/request | sink CPU µs/request | spans expected | spans received | start to ready | service log |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for round in $(seq 1 "$rounds"); do
  curl -fs -o /dev/null "http://127.0.0.1:$sink_port/reset"
  if [ "${TOGETHER:-0}" = 1 ]; then
    for i in "${!variants[@]}"; do start "$i" "${variants[$i]}"; done
    for i in "${!variants[@]}"; do await_ready "$i"; done
    loads=()
    for i in "${!variants[@]}"; do load "$i" & loads+=($!); done
    wait "${loads[@]}"
    for i in "${!variants[@]}"; do stop "$i"; done
  else
    for i in "${!variants[@]}"; do start "$i" "${variants[$i]}"; await_ready "$i"; load "$i"; stop "$i"; done
  fi
  for i in "${!variants[@]}"; do
    read -r rps p99 startup cpu sink_cpu expected received says < <(report "$i")
    echo "| $round | ${variants[$i]} | $rps | $p99 | $cpu | $sink_cpu | $expected | $received | ${startup} ms | $says |"
    echo "$rps" >>"$work/rps-$i"
    echo "$cpu" >>"$work/cpu-$i"
    echo "$expected $received" >>"$work/spans-$i"
    echo "| $round | ${variants[$i]} | $(thread_split "$i") |" >>"$work/threads-table"
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
echo
echo "CPU µs per request by thread (the JIT compilers included here; groups under 0.5 left out):"
echo
echo "| round | variant | threads |"
echo "| --- | --- | --- |"
cat "$work/threads-table"
