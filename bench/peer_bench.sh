#!/usr/bin/env bash
# What a hop between peer gateways costs: a ~2 KB SendMessage relayed by a
# far node straight to an echoing provider ("direct"), next to the same call
# sent to a near node that forwards it over the signed hop to the far node
# ("hop": the near node signs as itself, the far node verifies that
# signature and checks its BIN, relays, and signs its answer, which the near
# node verifies). Both nodes run on this machine and share its cores; the
# gateway CPU is both nodes' time per call. The runs alternate round by
# round; medians. With KEY=gateway-ec both nodes sign with ECDSA P-256
# instead of RSA-2048.
# Then the asynchronous channel (ASYNC_COUNT messages, default 20000, ~2 KB,
# durable): sendMessage to a PULL inbox on the far node directly, next to
# the same sent to the near node, which stores each and PUSHes it over the
# signed hop (64 in flight) to the far node, which stores it again under
# its id; then the far node's inbox drained (getMessages + one notification
# each). "through" is the rate at which messages reach the far node's inbox,
# from the first send to the last arrival; µs is both nodes' CPU per message.
# On the hop the far node reports each delivery back to the near node (a
# signed changeMassageStatusNotification each, the near node's state made
# DELIVERED): "back/s" is the rate from the drain's start to the last report
# taken, and "back µs" both nodes' CPU per message over that time.
# Everything runs on 127.0.0.1 and stops at the end. Usage (repository root):
#   bash bench/peer_bench.sh [connections=64] [seconds=8] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
CONNS=${1:-64}
SECS=${2:-8}
ROUNDS=${3:-3}
BUILD=${BUILD:-build-bench}
KEY=${KEY:-gateway}

need_packages wrk
build_release qaqpa bench_provider make_request
bash tests/support/pki/make_pki.sh "$work/pki" >/dev/null
start_provider
hop_hash=$(echo "hop-password" | "$BUILD/cmd/qaqpa" hash-password)

security() { # key name
  cat <<TOML
[security]
gateway_cert = "$work/pki/$1.pem"
gateway_key = "$work/pki/$1.key"
trusted_ca = ["$work/pki/ca.pem"]
crls = ["$work/pki/crl.pem"]
TOML
}

mkdir -p "$work/far" "$work/near"
near_port=$(free_port) # the far node's way back names it before the near node runs
{
  qaqpa_config_head "$work/far"
  security "$KEY"
  cat <<TOML
[[systems]]
id = "gw-near"
password_hash = "$hop_hash"
bin = "990000000001"
gateway = true
[[peers]]
id = "near"
url = "http://127.0.0.1:$near_port"
login = "gw-far"
password = "hop-password"
bin = "990000000001"
[[delivery_points]]
id = "provider"
url = "http://127.0.0.1:$provider_port/"
[[services]]
id = "remote"
owner = "bench"
delivery_point = "provider"
[[access]]
system = "bench"
service = "remote"
[[access]]
system = "gw-near"
service = "remote"
[[services]]
id = "inbox"
owner = "bench"
mode = "async"
delivery = "pull"
[[access]]
system = "bench"
service = "inbox"
[[access]]
system = "gw-near"
service = "inbox"
TOML
} >"$work/far/qaqpa.toml"
start_qaqpa "$work/far/qaqpa.toml" "$work/far/out"
far_pid=$qaqpa_pid far_port=$qaqpa_port far_admin=$qaqpa_admin

{
  qaqpa_config_head "$work/near" | sed "0,/^port = 0/s//port = $near_port/"
  security "$KEY"
  cat <<TOML
[[systems]]
id = "gw-far"
password_hash = "$hop_hash"
bin = "990000000001"
gateway = true
[[peers]]
id = "far"
url = "http://127.0.0.1:$far_port"
login = "gw-near"
password = "hop-password"
bin = "990000000001"
[[delivery_points]]
id = "to-far"
protocol = "gateway"
peer = "far"
security_mode = 1
concurrency = 64
[[services]]
id = "remote"
owner = "bench"
delivery_point = "to-far"
[[access]]
system = "bench"
service = "remote"
[[services]]
id = "inbox"
owner = "bench"
mode = "async"
delivery_point = "to-far"
[[access]]
system = "bench"
service = "inbox"
TOML
} >"$work/near/qaqpa.toml"
start_qaqpa "$work/near/qaqpa.toml" "$work/near/out"
near_pid=$qaqpa_pid near_admin=$qaqpa_admin
[ "$qaqpa_port" = "$near_port" ] || { echo "the near node listens on $qaqpa_port, not $near_port" >&2; exit 1; }

"$BUILD/bench/make_request" remote bench bench-password 2048 >"$work/call.xml"
post_lua call

measured_pids="$far_pid $near_pid" # the gateway CPU of a call: both nodes' ("direct" uses the far one alone)

declare -A rates cpus
for round in $(seq "$ROUNDS"); do
  for run in direct hop; do
    port=$far_port
    [ "$run" = hop ] && port=$near_port
    read -r r c bad <<<"$(wrk_measured "$work/call.lua" "http://127.0.0.1:$port/bip-sync/")"
    [ "$bad" = 0 ] || { echo "$run: $bad answers were not 200" >&2; exit 1; }
    rates[$run]+="$r "; cpus[$run]+="$c "
  done
done
echo "== a hop between peer gateways: $(nproc) cores, $CONNS keep-alive connections, ${SECS} s per run, $ROUNDS rounds (medians), ~2 KB, 127.0.0.1"
echo "   direct = caller → far node → provider; hop = caller → near node → signed hop ($KEY) → far node → provider"
printf "%-7s %10s %12s   %s\n" run "req/s" "gateway µs" "(rounds)"
for run in direct hop; do
  printf "%-7s %10s %12s   (%s)\n" "$run" "$(median "${rates[$run]}")" "$(median "${cpus[$run]}")" "${rates[$run]}"
done

# The asynchronous channel: accepted, carried to the far node's inbox, drained there.
COUNT=${ASYNC_COUNT:-20000}
build_release async_driver
far_token=$(cat "$work/far/admin.token")
inbox_depth() {
  curl -s -H "Authorization: Bearer $far_token" "http://127.0.0.1:$far_admin/metrics" |
    awk '/^qaqpa_queue_depth\{queue="pull\/bench\/inbox"\}/{print $2}' | tail -1
}
reports_taken() { # the far node's reports the near node took, so far
  curl -s -H "Authorization: Bearer $near_token" "http://127.0.0.1:$near_admin/metrics" |
    awk '/^qaqpa_requests_total\{.*operation="changeMassageStatusNotification".*outcome="ok"/{n += $2} END{print n + 0}'
}
near_token=$(cat "$work/near/admin.token")
now_ms() { date +%s%3N; }
"$BUILD/bench/async_driver" fill "$far_port" bench bench-password inbox 200 8 2048 >/dev/null # warm-up
"$BUILD/bench/async_driver" drain "$far_port" bench bench-password inbox 16 >/dev/null
declare -A accepts throughs drains acpus backs bcpus
for round in $(seq "$ROUNDS"); do
  for run in direct hop; do
    port=$far_port
    [ "$run" = hop ] && port=$near_port
    t0=$(ticks_of $measured_pids); start=$(now_ms)
    out=$("$BUILD/bench/async_driver" fill "$port" bench bench-password inbox "$COUNT" "$CONNS" 2048)
    for _ in $(seq 1200); do # every message in the far node's inbox (2 minutes at most)
      [ "$(inbox_depth)" = "$COUNT" ] && break
      sleep 0.1
    done
    [ "$(inbox_depth)" = "$COUNT" ] || { echo "$run: the far inbox holds $(inbox_depth) of $COUNT" >&2; exit 1; }
    arrived=$(now_ms); t1=$(ticks_of $measured_pids)
    accepts[$run]+="$(field "$out" msg_per_s) "
    throughs[$run]+="$(awk -v n="$COUNT" -v ms=$((arrived - start)) 'BEGIN{printf "%d", n*1000/ms}') "
    acpus[$run]+="$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$COUNT" 'BEGIN{printf "%.1f", t*1e6/hz/n}') "
    before=$(reports_taken); t0=$(ticks_of $measured_pids); start=$(now_ms)
    out=$("$BUILD/bench/async_driver" drain "$far_port" bench bench-password inbox 64)
    drains[$run]+="$(field "$out" msg_per_s) "
    [ "$run" = hop ] || continue
    for _ in $(seq 1200); do # every delivery reported back (2 minutes at most)
      [ "$(reports_taken)" -ge $((before + COUNT)) ] && break
      sleep 0.1
    done
    [ "$(reports_taken)" -ge $((before + COUNT)) ] ||
      { echo "hop: the near node took $(($(reports_taken) - before)) reports of $COUNT" >&2; exit 1; }
    back=$(now_ms); t1=$(ticks_of $measured_pids)
    backs[$run]+="$(awk -v n="$COUNT" -v ms=$((back - start)) 'BEGIN{printf "%d", n*1000/ms}') "
    bcpus[$run]+="$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$COUNT" 'BEGIN{printf "%.1f", t*1e6/hz/n}') "
  done
done
echo "== asynchronous: $COUNT messages per run, ~2 KB, durable, $CONNS senders, drained by 64 pullers at the far node"
echo "   direct = sender → far node's inbox; hop = sender → near node (stored) → signed PUSH, 64 in flight ($KEY) → far node (stored again)"
printf "%-7s %12s %12s %12s %12s %10s %10s   %s\n" run "accept/s" "through/s" "drain/s" "µs/msg" "back/s" "back µs" \
  "(through, rounds)"
for run in direct hop; do
  printf "%-7s %12s %12s %12s %12s %10s %10s   (%s)\n" "$run" "$(median "${accepts[$run]}")" "$(median "${throughs[$run]}")" \
    "$(median "${drains[$run]}")" "$(median "${acpus[$run]}")" "$(median "${backs[$run]:-}")" \
    "$(median "${bcpus[$run]:-}")" "${throughs[$run]}"
done
echo "   (µs/msg: both nodes' CPU from the first send to the last arrival, the drain excluded;"
echo "    back: from the drain's start until the near node took every report, both nodes' CPU per message)"
