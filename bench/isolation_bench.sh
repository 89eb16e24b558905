#!/usr/bin/env bash
# Delivery isolation: PUSH throughput of healthy delivery points while other
# points fail. POINTS points, each with an async PUSH service; the first
# FAILING of them fail every attempt (in turn: refuse the connection, never
# answer and time out after 1 s, answer HTTP 500 with a SOAP fault), are
# retried every 10-100 ms and never switched off (no error shutdown: the
# worst case, they keep failing throughout). The others go to
# one loopback recipient.
#
# Two runs on a fresh gateway each: every point is switched off, PER_POINT
# ~2 KB messages are queued for each healthy point (and, in the second run,
# for each failing one), then every point is switched on and the recipient
# times the healthy points' messages from the first to the last arrival.
#   run 1: only the healthy points have messages
#   run 2: the failing points have as many, and fail throughout
# Everything runs on 127.0.0.1 and stops at the end. Usage (repository root):
#   bash bench/isolation_bench.sh [points=100] [failing=10] [per_point=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
POINTS=${1:-100}
FAILING=${2:-10}
PER_POINT=${3:-1000}
BUILD=${BUILD:-build-bench}
HEALTHY=$((POINTS - FAILING))

need_packages curl
build_release qaqpa async_driver

start_helper() { # out-file args... → helper_pid, helper_port
  "$BUILD/bench/async_driver" "${@:2}" >"$1" &
  helper_pid=$!
  pids+=($helper_pid)
  helper_port=$(wait_line "$1" "async_driver: listening")
}
start_helper "$work/fault.out" failing fault
fault_port=$helper_port
start_helper "$work/hang.out" failing hang
hang_port=$helper_port
refused_port=$(free_port) # nothing listens there

write_config() { # dir recipient-port
  {
    qaqpa_config_head "$1"
    for i in $(seq 1 "$POINTS"); do
      if [ "$i" -le "$FAILING" ]; then
        case $((i % 3)) in
          0) url="http://127.0.0.1:$fault_port/" ;;
          1) url="http://127.0.0.1:$refused_port/" ;;
          2) url="http://127.0.0.1:$hang_port/" ;;
        esac
        policy="timeout_ms = 1000
retries = 1000
backoff_ms = 10
backoff_max_ms = 100"
      else
        url="http://127.0.0.1:$2/"
        policy=""
      fi
      cat <<TOML
[[delivery_points]]
id = "dp$i"
url = "$url"
$policy
[[services]]
id = "svc$i"
owner = "bench"
mode = "async"
delivery_point = "dp$i"
[[access]]
system = "bench"
service = "svc$i"
TOML
    done
  } >"$1/qaqpa.toml"
}

switch() { # on|off admin-port token first last: one curl, one connection
  local urls=()
  for i in $(seq "$4" "$5"); do urls+=("http://127.0.0.1:$2/dp/dp$i/$1"); done
  curl -sf -X POST -H "Authorization: Bearer $3" "${urls[@]}" >/dev/null
}

run() { # name with-failing(0|1)
  local dir="$work/$1" expected=$((HEALTHY * PER_POINT))
  mkdir -p "$dir"
  start_helper "$dir/recipient.out" recipient "$expected" 300
  local recipient_pid=$helper_pid
  write_config "$dir" "$helper_port"
  start_qaqpa "$dir/qaqpa.toml" "$dir/qaqpa.out" error
  local port=$qaqpa_port admin=$qaqpa_admin token
  token=$(cat "$dir/admin.token")
  switch off "$admin" "$token" 1 "$POINTS"
  "$BUILD/bench/async_driver" fan "$port" bench bench-password svc $((FAILING + 1)) "$POINTS" "$PER_POINT" 32 2048 \
    >"$dir/fill.out"
  if [ "$2" = 1 ] && [ "$FAILING" -gt 0 ]; then
    "$BUILD/bench/async_driver" fan "$port" bench bench-password svc 1 "$FAILING" "$PER_POINT" 32 2048 >/dev/null
    # The failing points first, so they are failing before the healthy start.
    switch on "$admin" "$token" 1 "$FAILING"
    sleep 2
  fi
  local t0 t1 f0 f1
  failing_requests() { tail -qn1 "$work/fault.out" "$work/hang.out" | awk '{n += $2} END {print n}'; }
  f0=$(failing_requests)
  t0=$(cpu_ticks "$qaqpa_pid")
  switch on "$admin" "$token" $((FAILING + 1)) "$POINTS"
  wait "$recipient_pid" || true
  t1=$(cpu_ticks "$qaqpa_pid")
  f1=$(failing_requests)
  local out
  out=$(tail -1 "$dir/recipient.out")
  printf "%-22s healthy: %6s msgs in %5s s = %6s msg/s; failing PUSHes answered meanwhile: %s (+ refused ones);" \
    "$3" "$(field "$out" received)" "$(field "$out" first_to_last_s)" "$(field "$out" msg_per_s)" $((f1 - f0))
  printf " gateway CPU %s s, RSS %s MB\n" "$(awk -v t=$((t1 - t0)) 'BEGIN{printf "%.1f", t/100}')" "$(rss_mb "$qaqpa_pid")"
  stop_qaqpa
}

echo "conditions: $(nproc) cores, $POINTS delivery points, $FAILING failing, $PER_POINT messages per point," \
  "~2 KB, durable, all on 127.0.0.1"
run alone 0 "healthy $HEALTHY alone:"
run beside 1 "beside $FAILING failing:"
