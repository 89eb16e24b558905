#!/usr/bin/env bash
# The REST channel next to SOAP, in one run on one gateway: wrk with
# keep-alive, N connections, medians of alternating rounds.
#   relay:  a ~2 KB synchronous call, SOAP caller → SOAP provider next to
#           REST caller → REST provider (bench_provider in each form, echoing)
#   accept: a ~2 KB asynchronous sendMessage to a PULL service, stored
#           durably (group commit) before the answer, SOAP next to REST
# Prints req/s and the gateway's CPU µs per request. Everything runs on
# 127.0.0.1 and stops at the end. Usage (repository root):
#   bash bench/rest_bench.sh [connections=64] [seconds=8] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
CONNS=${1:-64}
SECS=${2:-8}
ROUNDS=${3:-3}
BUILD=${BUILD:-build-bench}

need_packages wrk
build_release qaqpa bench_provider make_request

start_provider
soap_port=$provider_port
"$BUILD/bench/bench_provider" 1 rest >"$work/rest-provider.out" &
pids+=($!)
rest_port=$(wait_line "$work/rest-provider.out" "bench_provider: listening")

{
  qaqpa_config_head "$work"
  cat <<TOML
[[delivery_points]]
id = "soap"
url = "http://127.0.0.1:$soap_port/"
[[delivery_points]]
id = "rest"
url = "http://127.0.0.1:$rest_port/"
protocol = "rest"
[[services]]
id = "soap"
owner = "bench"
delivery_point = "soap"
[[services]]
id = "rest"
owner = "bench"
delivery_point = "rest"
[[services]]
id = "inbox"
owner = "bench"
mode = "async"
delivery = "pull"
[[access]]
system = "bench"
service = "soap"
[[access]]
system = "bench"
service = "rest"
[[access]]
system = "bench"
service = "inbox"
TOML
} >"$work/gateway.toml"

# Requests of about 2 KB each: SOAP from make_request, REST of the same fields and a like payload.
"$BUILD/bench/make_request" soap bench bench-password 2048 >"$work/sync-soap.xml"
"$BUILD/bench/make_request" --async inbox bench bench-password 2048 >"$work/async-soap.xml"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
sender = {"senderId": "bench", "password": "bench-password"}
data = {"greeting": "Сәлем, қақпа!", "n": 9007199254740993, "items": [{"k": i, "v": "x" * 40} for i in range(24)]}
sync = {"request": {"requestInfo": {"messageId": "bench-1", "serviceId": "rest", "messageDate": "2026-11-23T10:00:00+06:00",
                                    "sender": sender}, "requestData": {"data": data}}}
send = {"request": {"messageInfo": {"serviceId": "inbox", "messageType": "REQUEST", "messageDate": "2026-11-23T10:00:00+06:00",
                                    "sender": sender}, "messageData": {"data": data}}}
for name, body in (("sync-rest", sync), ("async-rest", send)):
    open(f"{work}/{name}.json", "w").write(json.dumps(body, ensure_ascii=False))
PY
for name in sync-soap async-soap; do post_lua "$name"; done
for name in sync-rest async-rest; do
  cat >"$work/$name.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/$name.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
done

declare -A rates cpus paths
paths[sync-soap]=/bip-sync/; paths[sync-rest]=/api/v1/sync/SendMessage
paths[async-soap]=/bip-async/; paths[async-rest]=/api/v1/async/sendMessage
runs=(sync-soap sync-rest async-soap async-rest)
start_qaqpa "$work/gateway.toml" "$work/gateway.out"
for round in $(seq "$ROUNDS"); do
  for run in "${runs[@]}"; do
    read -r r c bad <<<"$(wrk_measured "$work/$run.lua" "http://127.0.0.1:$qaqpa_port${paths[$run]}")"
    [ "$bad" = 0 ] || { echo "$run: $bad answers were not 200" >&2; exit 1; }
    rates[$run]+="$r "; cpus[$run]+="$c "
  done
done
stop_qaqpa
echo "== REST next to SOAP: $(nproc) cores, $CONNS keep-alive connections, ${SECS} s per run, $ROUNDS rounds (medians), ~2 KB, 127.0.0.1"
echo "   sync = relay to an echoing loopback provider of the same protocol; async = durable accept to a PULL queue"
printf "%-11s %10s %12s   %s\n" run "req/s" "gateway µs" "(rounds)"
for run in "${runs[@]}"; do
  printf "%-11s %10s %12s   (%s)\n" "$run" "$(median "${rates[$run]}")" "$(median "${cpus[$run]}")" "${rates[$run]}"
done
