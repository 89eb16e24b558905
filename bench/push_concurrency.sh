#!/usr/bin/env bash
# PUSH throughput to one slow recipient by the point's `concurrency` (the
# PUSHes in flight to it at once). The recipient answers every PUSH after
# LATENCY ms (default 20, without holding a thread); COUNT messages (default
# 2000, ~2 KB) are queued at once, then the recipient's arrival rate is
# read from its first to its last message. With concurrency = 1 the queue
# cannot go faster than 1000 / LATENCY messages a second, whatever the
# gateway can do.
# Everything runs on 127.0.0.1 and stops at the end. Usage (repository root):
#   bash bench/push_concurrency.sh [latency_ms=20] [count=2000] [levels="1 8 32"]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
LATENCY=${1:-20}
COUNT=${2:-2000}
LEVELS=${3:-"1 8 32"}
BUILD=${BUILD:-build-bench}
build_release qaqpa async_driver

echo "conditions: $(nproc) cores, recipient latency $LATENCY ms, $COUNT messages of ~2 KB queued at once, durable, all on 127.0.0.1"
for n in $LEVELS; do
  # A small N needs COUNT * LATENCY / N ms: give the recipient that and more.
  budget=$((COUNT * LATENCY / n / 1000 + 60))
  "$BUILD/bench/async_driver" recipient "$COUNT" "$budget" "$LATENCY" >"$work/recipient.out" &
  recipient_pid=$!
  pids+=($recipient_pid)
  recipient_port=$(wait_line "$work/recipient.out" "async_driver: listening")
  rm -rf "$work/data"
  { qaqpa_config_head "$work"; cat <<TOML; } >"$work/qaqpa.toml"
[[delivery_points]]
id = "slow"
url = "http://127.0.0.1:$recipient_port/"
concurrency = $n
[[services]]
id = "pushed"
owner = "bench"
mode = "async"
delivery_point = "slow"
[[access]]
system = "bench"
service = "pushed"
TOML
  start_qaqpa "$work/qaqpa.toml" "$work/qaqpa.out"
  "$BUILD/bench/async_driver" fill "$qaqpa_port" bench bench-password pushed "$COUNT" 16 2048 >/dev/null
  wait "$recipient_pid" || true
  out=$(tail -1 "$work/recipient.out")
  printf "concurrency %-3s delivered %s in %s s: %s msg/s (ceiling with one in flight: %s msg/s)\n" "$n" \
    "$(field "$out" received)" "$(field "$out" first_to_last_s)" "$(field "$out" msg_per_s)" $((1000 / LATENCY))
  stop_qaqpa
done
