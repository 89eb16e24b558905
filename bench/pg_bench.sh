#!/usr/bin/env bash
# The store on PostgreSQL next to the embedded RocksDB store, in one run:
# accept (wrk, N connections of sendMessage to a PULL service, ~2 KB), the
# PULL drain of what was accepted (getMessages amount=100 + one
# notification per message), and PUSH (PUSHES messages sent by 32
# closed-loop senders to a PUSH service whose point, concurrency 16, is a
# loopback recipient: the rate from its first to its last arrival), through
#   1. one node on RocksDB (the default),
#   2. one node on PostgreSQL,
#   3. two nodes on one PostgreSQL (each driven by half the connections and
#      half the pullers; the figure is their sum).
# PostgreSQL 15 runs on 127.0.0.1 with fsync and synchronous_commit on: every
# answer waits for its commit. Usage (repository root):
#   bash bench/pg_bench.sh [connections=64] [seconds=10]
# The target (issue "Scale-out"): >= 15,000 durable accepts a second through
# one node on this 2-core machine. "failed" counts getMessages and
# notifications that failed.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
CONNS=${1:-64}
SECS=${2:-10}
PULLERS=${PULLERS:-64}
PUSHES=${PUSHES:-20000}
BUILD=${BUILD:-build-bench}

need_packages wrk
bash .ci/install-deps >/dev/null
build_release qaqpa async_driver make_request
start_postgres
trap 'stop_postgres; cleanup' EXIT

# A node's configuration: $1 its directory, $2 the store, $3 its name.
node_config() {
  qaqpa_config_head "$1" | sed "s|^\[node\]|[node]\nstore = \"$2\"\nname = \"$3\"|"
  cat <<TOML
[postgresql]
dsn = "host=127.0.0.1 port=$pg_port dbname=postgres user=qaqpa"
schema = "bench"
TOML
  pull_inbox_toml
  push_service_toml "$recipient_port" "concurrency = 16"
}

# A PUSH recipient for the next run, waiting for PUSHES messages.
recipient_up() {
  "$BUILD/bench/async_driver" recipient "$PUSHES" 300 >"$work/recipient.out" &
  recipient_pid=$!
  pids+=($recipient_pid)
  recipient_port=$(wait_line "$work/recipient.out" "async_driver: listening")
}
push_run() { # ports → PUSHes delivered a second (the senders split among the ports)
  local p share=$((PUSHES / $#)) senders=()
  for p in "$@"; do
    "$BUILD/bench/async_driver" fill "$p" bench bench-password pushed "$share" $((32 / $#)) 2048 >/dev/null &
    senders+=($!)
  done
  wait "${senders[@]}" || true
  local i # the recipient is not this subshell's child: its last line says it is done
  for ((i = 0; i < 3000; ++i)); do grep -q '^received' "$work/recipient.out" && break; sleep 0.1; done
  field "$(grep '^received' "$work/recipient.out")" msg_per_s
}

# Starts a node: $1 directory, $2 store, $3 name → its port in the variable $4.
node_up() {
  mkdir -p "$1"
  node_config "$1" "$2" "$3" >"$1/qaqpa.toml"
  start_qaqpa "$1/qaqpa.toml" "$1/qaqpa.out"
  printf -v "$4" '%s' "$qaqpa_port"
  "$BUILD/bench/async_driver" fill "$qaqpa_port" bench bench-password inbox 200 8 2048 >/dev/null # logins warm
}

"$BUILD/bench/make_request" --async inbox bench bench-password 2048 >"$work/send.xml"
post_lua send
accept_run() { # port connections → msg/s (errors to $work/errors)
  local out
  out=$(wrk -t1 -c"$2" -d"${SECS}s" -s "$work/send.lua" "http://127.0.0.1:$1/bip-async/")
  awk '/Non-2xx/{print $NF}' <<<"$out" >>"$work/errors"
  awk '/Requests\/sec/{printf "%.0f", $2}' <<<"$out"
}
drain_run() { # port pullers → "drained msg_per_s failed"
  local out
  out=$("$BUILD/bench/async_driver" drain "$1" bench bench-password inbox "$2" || true)
  echo "$(field "$out" drained) $(field "$out" msg_per_s) $(field "$out" failed)"
}

echo "conditions: $(nproc) cores, $(wc -c <"$work/send.xml") byte sendMessage, $CONNS connections, ${SECS} s," \
  "$PULLERS pullers; PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1, fsync on"
row() { printf '%-34s %12s %16s %12s %8s %10s\n' "$@"; }
row "run" "accept/s" "drained" "drain/s" "failed" "push/s"
: >"$work/errors"

recipient_up
node_up "$work/rocks" rocksdb rocks port
a=$(accept_run "$port" "$CONNS"); read -r n d f < <(drain_run "$port" "$PULLERS")
row "one node, RocksDB" "$a" "$n" "$d" "$f" "$(push_run "$port")"
stop_qaqpa

recipient_up
node_up "$work/pg1" postgresql a port
a=$(accept_run "$port" "$CONNS"); read -r n d f < <(drain_run "$port" "$PULLERS")
row "one node, PostgreSQL" "$a" "$n" "$d" "$f" "$(push_run "$port")"
stop_qaqpa

recipient_up
node_up "$work/pg2a" postgresql a port_a; pid_a=$qaqpa_pid
node_up "$work/pg2b" postgresql b port_b
accept_run "$port_a" $((CONNS / 2)) >"$work/a.out" & wa=$!
accept_run "$port_b" $((CONNS / 2)) >"$work/b.out" & wb=$!
wait "$wa" "$wb"
a=$(( $(cat "$work/a.out") + $(cat "$work/b.out") ))
t0=$(date +%s.%N)
drain_run "$port_a" $((PULLERS / 2)) >"$work/da.out" & wa=$!
drain_run "$port_b" $((PULLERS / 2)) >"$work/db.out" & wb=$!
wait "$wa" "$wb"
t1=$(date +%s.%N)
n=$(( $(cut -d' ' -f1 "$work/da.out") + $(cut -d' ' -f1 "$work/db.out") ))
f=$(( $(cut -d' ' -f3 "$work/da.out") + $(cut -d' ' -f3 "$work/db.out") ))
d=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n / (b - a)}')
row "two nodes, one PostgreSQL" "$a" "$n" "$d" "$f" "$(push_run "$port_a" "$port_b")"
kill "$pid_a" "$qaqpa_pid"; wait "$pid_a" "$qaqpa_pid" 2>/dev/null || true
echo "non-2xx answers: $(awk '{s += $1} END {print s + 0}' "$work/errors")"
