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
# RUNS="sync-soap-text sync-rest-text" picks some of the runs.
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

# Requests of about 2 KB each, of the same fields, with payloads of two
# shapes carrying the same information over both channels: "text", one
# ~1.7 KB string (a text node in SOAP), and "records", 24 small records
# (elements in SOAP, objects in JSON) — a parser's cost follows its tokens.
"$BUILD/bench/make_request" soap bench bench-password 2048 >"$work/sync-soap-text.xml"
"$BUILD/bench/make_request" --async inbox bench bench-password 2048 >"$work/async-soap-text.xml"
python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
filler = re.compile(r'<doc xmlns="urn:example">([0-9a-f]*)</doc>')
text = filler.search(open(f"{work}/sync-soap-text.xml").read()).group(1)
records = {"greeting": "Сәлем, қақпа!", "n": 9007199254740993, "items": [{"k": i, "v": "x" * 40} for i in range(24)]}
records_xml = ('<doc xmlns="urn:example"><greeting>Сәлем, қақпа!</greeting><n>9007199254740993</n><items>' +
               "".join(f"<item><k>{i['k']}</k><v>{i['v']}</v></item>" for i in records["items"]) + "</items></doc>")
for name in ("sync-soap", "async-soap"):
    xml = open(f"{work}/{name}-text.xml").read()
    open(f"{work}/{name}-records.xml", "w").write(filler.sub(lambda m: records_xml, xml, count=1))
sender = {"senderId": "bench", "password": "bench-password"}
for shape, data in (("text", text), ("records", records)):
    sync = {"request": {"requestInfo": {"messageId": "bench-1", "serviceId": "rest", "messageDate": "2026-11-23T10:00:00+06:00",
                                        "sender": sender}, "requestData": {"data": data}}}
    send = {"request": {"messageInfo": {"serviceId": "inbox", "messageType": "REQUEST", "messageDate": "2026-11-23T10:00:00+06:00",
                                        "sender": sender}, "messageData": {"data": data}}}
    for name, body in ((f"sync-rest-{shape}", sync), (f"async-rest-{shape}", send)):
        open(f"{work}/{name}.json", "w").write(json.dumps(body, ensure_ascii=False))
PY
runs=(${RUNS:-sync-soap-text sync-rest-text sync-soap-records sync-rest-records async-soap-records async-rest-records})
for run in "${runs[@]}"; do
  case $run in
  *soap*) post_lua "$run" ;;
  *) cat >"$work/$run.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/$run.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
  ;;
  esac
done

declare -A rates cpus
path_of() {
  case $1 in
  sync-soap*) echo /bip-sync/ ;; sync-rest*) echo /api/v1/sync/SendMessage ;;
  async-soap*) echo /bip-async/ ;; async-rest*) echo /api/v1/async/sendMessage ;;
  esac
}
start_qaqpa "$work/gateway.toml" "$work/gateway.out"
for round in $(seq "$ROUNDS"); do
  for run in "${runs[@]}"; do
    read -r r c bad <<<"$(wrk_measured "$work/$run.lua" "http://127.0.0.1:$qaqpa_port$(path_of "$run")")"
    [ "$bad" = 0 ] || { echo "$run: $bad answers were not 200" >&2; exit 1; }
    rates[$run]+="$r "; cpus[$run]+="$c "
  done
done
stop_qaqpa
echo "== REST next to SOAP: $(nproc) cores, $CONNS keep-alive connections, ${SECS} s per run, $ROUNDS rounds (medians), ~2 KB, 127.0.0.1"
echo "   sync = relay to an echoing loopback provider of the same protocol; async = durable accept to a PULL queue"
echo "   payload: text = one ~1.7 KB string / text node; records = 24 small records (objects / elements)"
printf "%-19s %6s %10s %12s   %s\n" run bytes "req/s" "gateway µs" "(rounds)"
for run in "${runs[@]}"; do
  printf "%-19s %6s %10s %12s   (%s)\n" "$run" "$(cat "$work/$run".xml "$work/$run".json 2>/dev/null | wc -c)" "$(median "${rates[$run]}")" "$(median "${cpus[$run]}")" "${rates[$run]}"
done
