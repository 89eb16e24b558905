#!/usr/bin/env bash
# Asynchronous channel load runs, ~2 KB messages, durable (fsync before the
# answer), against RabbitMQ on the same machine as the baseline:
#   1. PUSH end to end at a fixed rate to a loopback recipient (accept → delivery)
#   2. accept: wrk, N connections of sendMessage to a PULL service
#   3. PULL drain: getMessages(amount=100) + one sendDeliveryNotification per message
#   4. (QUEUED=1000000) RSS with that many messages queued, before and after a restart
# RabbitMQ: durable classic queue, persistent messages, publisher confirms
# (≤256 in flight), consumer prefetch 256 with one ack per message. It
# publishes as many messages as qaqpa accepted in run 2, so both drains start
# from a queue of the same depth.
# Everything runs on 127.0.0.1 and stops at the end. Usage (repository root):
#   bash bench/async_bench.sh [connections=64] [seconds=15] [rate=1000]
# PULLERS (default 64) sets the drain's concurrent pullers; 256 gives it as
# many unconfirmed messages in flight as RabbitMQ's prefetch.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
CONNS=${1:-64}
SECS=${2:-15}
RATE=${3:-1000}
QUEUED=${QUEUED:-0}
PULLERS=${PULLERS:-64}
BUILD=${BUILD:-build-bench}

need_packages wrk rabbitmq-server librabbitmq-dev
build_release qaqpa async_driver make_request rabbit_bench

# The PUSH recipient first: the gateway's configuration names its port.
push_count=$((RATE * SECS))
"$BUILD/bench/async_driver" recipient "$push_count" $((SECS + 60)) >"$work/recipient.out" &
recipient_pid=$!
pids+=($recipient_pid)
recipient_port=$(wait_line "$work/recipient.out" "async_driver: listening")

{ qaqpa_config_head "$work"; pull_inbox_toml; push_service_toml "$recipient_port"; } >"$work/qaqpa.toml"
start_qaqpa "$work/qaqpa.toml" "$work/qaqpa.out"

"$BUILD/bench/make_request" --async inbox bench bench-password 2048 >"$work/send.xml"
post_lua send

echo "conditions: $(nproc) cores, $(wc -c <"$work/send.xml") byte sendMessage, durable (fsync per group commit), all on 127.0.0.1"
echo
echo "== qaqpa"
# 1. PUSH end to end at a fixed rate, first, on a quiet store (as RabbitMQ's run is);
#    a few sends before it verify the login once per thread (scrypt)
"$BUILD/bench/async_driver" fill "$qaqpa_port" bench bench-password inbox 400 16 2048 >/dev/null
"$BUILD/bench/async_driver" send "$qaqpa_port" bench bench-password pushed "$RATE" "$SECS" 2048 >"$work/send.out"
wait "$recipient_pid" || true
out=$(cat "$work/recipient.out" | tail -1)
printf "push     %s msg/s for %s s: delivered %s, accept→delivery p50 %s ms, p99 %s ms\n" "$RATE" "$SECS" \
  "$(field "$out" received)" "$(field "$out" p50_ms)" "$(field "$out" p99_ms)"
# 2. accept (after a warm-up that also fills the login caches)
wrk -t1 -c"$CONNS" -d2s -s "$work/send.lua" "http://127.0.0.1:$qaqpa_port/bip-async/" >/dev/null # warm-up
t0=$(cpu_ticks "$qaqpa_pid")
out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$work/send.lua" "http://127.0.0.1:$qaqpa_port/bip-async/")
t1=$(cpu_ticks "$qaqpa_pid")
cpu=$(awk -v a="$t0" -v b="$t1" -v s="$SECS" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", (b-a)/hz/s*100}')
errors=$(awk '/Non-2xx/{print $NF}' <<<"$out"); errors=${errors:-0}
printf "accept   %s connections: %s msg/s, p50 %s ms, p99 %s ms, CPU %s%%, RSS %s MB, errors %s\n" "$CONNS" \
  "$(awk '/Requests\/sec/{print $2}' <<<"$out")" "$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")" \
  "$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")" "$cpu" "$(rss_mb "$qaqpa_pid")" "$errors"
# 3. drain everything the accept run queued
out=$("$BUILD/bench/async_driver" drain "$qaqpa_port" bench bench-password inbox "$PULLERS")
drained=$(field "$out" drained)
printf "drain    %s messages: %s msg/s (%s pullers, getMessages amount=100 + one notification each)\n" \
  "$drained" "$(field "$out" msg_per_s)" "$PULLERS"
# 4. RSS with a deep queue, then after a restart (recovery scans the queues)
if [ "$QUEUED" -gt 0 ]; then
  out=$("$BUILD/bench/async_driver" fill "$qaqpa_port" bench bench-password inbox "$QUEUED" 64 2048)
  printf "queued   %s messages at %s msg/s: RSS %s MB\n" "$(field "$out" filled)" "$(field "$out" msg_per_s)" \
    "$(rss_mb "$qaqpa_pid")"
  stop_qaqpa
  : >"$work/qaqpa.out"
  t=$(date +%s.%N); start_qaqpa "$work/qaqpa.toml" "$work/qaqpa.out"; t=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  sleep 2
  printf "restart  with %s queued: listening after %s s, RSS %s MB\n" "$QUEUED" "$t" "$(rss_mb "$qaqpa_pid")"
fi
stop_qaqpa

echo
echo "== RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server) (durable classic queue, persistent, confirms <=256 in flight, prefetch 256 + ack each)"
rmq="$work/rabbitmq"
mkdir -p "$rmq"
rabbit_port=$(free_port); dist_port=$(free_port); epmd_port=$(free_port)
printf "listeners.tcp.default = 127.0.0.1:%s\n" "$rabbit_port" >"$rmq/rabbit.conf"
echo "[]." >"$rmq/enabled_plugins"
HOME=$rmq ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=$epmd_port RABBITMQ_NODENAME=qaqpabench@localhost \
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$rabbit_port RABBITMQ_DIST_PORT=$dist_port \
  RABBITMQ_MNESIA_BASE=$rmq/mnesia RABBITMQ_LOG_BASE=$rmq/log RABBITMQ_CONFIG_FILE=$rmq/rabbit.conf \
  RABBITMQ_ENABLED_PLUGINS_FILE=$rmq/enabled_plugins \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
  /usr/lib/rabbitmq/bin/rabbitmq-server >"$rmq/out.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do (echo >"/dev/tcp/127.0.0.1/$rabbit_port") 2>/dev/null && break; sleep 0.5; done
sleep 1
# The same number of messages qaqpa drained: both drain a queue of one depth.
count=${drained:-$((SECS * 5000))}
out=$("$BUILD/bench/rabbit_bench" publish "$rabbit_port" bench "$count" 2048)
printf "publish  %s messages: %s msg/s, confirm p50 %s ms, p99 %s ms\n" "$count" "$(field "$out" msg_per_s)" \
  "$(field "$out" confirm_p50_ms)" "$(field "$out" confirm_p99_ms)"
out=$("$BUILD/bench/rabbit_bench" consume "$rabbit_port" bench "$count")
printf "consume  %s messages: %s msg/s\n" "$count" "$(field "$out" msg_per_s)"
out=$("$BUILD/bench/rabbit_bench" e2e "$rabbit_port" e2e "$RATE" "$SECS" 2048)
printf "e2e      %s msg/s for %s s: publish→consume p50 %s ms, p99 %s ms\n" "$RATE" "$SECS" \
  "$(field "$out" p50_ms)" "$(field "$out" p99_ms)"
