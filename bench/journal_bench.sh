#!/usr/bin/env bash
# What the logging journal costs: the async accept rate (wrk, sendMessage
# to a PULL service, ~2 KB, durable) and the sync relay rate (wrk,
# SendMessage relayed to a loopback provider) with [journal] enabled = false,
# with it on, and with it on while /metrics is scraped every second. Each
# round starts one gateway per mode; their measured windows (SECS each)
# interleave, WINDOWS per mode, so drift hits every mode alike; medians of
# all windows are printed. BASELINE=path/to/qaqpa adds the same runs on
# another build (an earlier commit: it gets no [journal] table).
# Everything runs on 127.0.0.1 and stops at the end. Usage (repository root):
#   [WINDOWS=3] bash bench/journal_bench.sh [connections=64] [seconds=4] [rounds=4]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
CONNS=${1:-64}
SECS=${2:-4}
ROUNDS=${3:-4}
WINDOWS=${WINDOWS:-3}
BUILD=${BUILD:-build-bench}
BASELINE=${BASELINE:-}

need_packages wrk curl
build_release qaqpa bench_provider make_request

start_provider

write_config() { # dir journal(on|off|none)
  mkdir -p "$1"
  {
    qaqpa_config_head "$1"
    [ "$2" = none ] || printf '[journal]\nenabled = %s\n' "$([ "$2" = on ] && echo true || echo false)"
    cat <<TOML
[[delivery_points]]
id = "provider"
url = "http://127.0.0.1:$provider_port/"
[[services]]
id = "remote"
owner = "bench"
delivery_point = "provider"
[[services]]
id = "inbox"
owner = "bench"
mode = "async"
delivery = "pull"
[[access]]
system = "bench"
service = "remote"
[[access]]
system = "bench"
service = "inbox"
TOML
  } >"$1/qaqpa.toml"
}

"$BUILD/bench/make_request" --async inbox bench bench-password 2048 >"$work/send.xml"
"$BUILD/bench/make_request" remote bench bench-password 2048 >"$work/sync.xml"
for kind in send sync; do
  post_lua "$kind"
done


modes=(off on on+scrape)
[ -n "$BASELINE" ] && modes=(baseline "${modes[@]}")
declare -A accept relay accept_cpu relay_cpu gw_pid gw_port scraper

start_gateway() { # mode round → gw_pid, gw_port
  local dir="$work/$1-$2" bin="$BUILD/cmd/qaqpa"
  case $1 in
    baseline) write_config "$dir" none; bin="$BASELINE" ;;
    off) write_config "$dir" off ;;
    *) write_config "$dir" on ;;
  esac
  QAQPA_LOG=warn "$bin" serve --config "$dir/qaqpa.toml" >"$dir/out" &
  gw_pid[$1]=$!
  pids+=(${gw_pid[$1]})
  gw_port[$1]=$(wait_line "$dir/out" "qaqpa: listening public")
  scraper[$1]=""
  if [ "$1" = on+scrape ]; then
    local admin token
    admin=$(wait_line "$dir/out" "qaqpa: listening admin")
    token=$(cat "$dir/admin.token")
    # scrapes only while this mode's windows run ($work/scraping exists)
    (while sleep 1; do
      [ -e "$work/scraping" ] && curl -s -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$admin/metrics"
    done) &
    scraper[$1]=$!
    pids+=(${scraper[$1]})
  fi
  # one connection first (one scrypt check caches the login), then all
  for kind in send:bip-async sync:bip-sync; do
    wrk -t1 -c1 -d1s -s "$work/${kind%%:*}.lua" "http://127.0.0.1:${gw_port[$1]}/${kind#*:}/" >/dev/null
    wrk -t1 -c"$CONNS" -d2s -s "$work/${kind%%:*}.lua" "http://127.0.0.1:${gw_port[$1]}/${kind#*:}/" >/dev/null
  done
}

window() { # mode lua path → "requests/s CPU-µs-per-request non-2xx"
  measured_pids=${gw_pid[$1]} wrk_window "$work/$2.lua" "http://127.0.0.1:${gw_port[$1]}$3"
}

# Every mode's gateway runs through a round; its windows interleave with
# the other modes' (the VM's throughput drifts by ±10 % from one window to
# the next: interleaving gives every mode the same drift). A round starts
# fresh gateways, so the stores stay small.
for round in $(seq "$ROUNDS"); do
  for mode in "${modes[@]}"; do start_gateway "$mode" "$round"; done
  for _ in $(seq "$WINDOWS"); do
    for mode in "${modes[@]}"; do
      [ -n "${scraper[$mode]}" ] && touch "$work/scraping"
      read -r r c _ <<<"$(window "$mode" send /bip-async/)"; accept[$mode]+="$r "; accept_cpu[$mode]+="$c "
      read -r r c _ <<<"$(window "$mode" sync /bip-sync/)"; relay[$mode]+="$r "; relay_cpu[$mode]+="$c "
      rm -f "$work/scraping"
    done
  done
  for mode in "${modes[@]}"; do
    [ -n "${scraper[$mode]}" ] && kill "${scraper[$mode]}"
    kill "${gw_pid[$mode]}"; wait "${gw_pid[$mode]}" 2>/dev/null || true
    rm -rf "$work/$mode-$round/data"
  done
done

echo "conditions: $(nproc) cores, $CONNS connections, $ROUNDS rounds × $WINDOWS interleaved windows of ${SECS} s (medians), ~2 KB messages, durable, 127.0.0.1"
printf "%-10s %14s %14s %12s %12s   %s\n" mode "accept msg/s" "relay req/s" "accept µs" "relay µs" \
  "(rounds: accept | relay)"
for mode in "${modes[@]}"; do
  printf "%-10s %14s %14s %12s %12s   (%s| %s)\n" "$mode" "$(median "${accept[$mode]}")" "$(median "${relay[$mode]}")" \
    "$(median "${accept_cpu[$mode]}")" "$(median "${relay_cpu[$mode]}")" "${accept[$mode]}" "${relay[$mode]}"
done
echo "(µs: the gateway's CPU time, all threads, per request: steady where the VM's throughput is not)"
off_a=$(median "${accept[off]}"); on_a=$(median "${accept[on]}")
off_r=$(median "${relay[off]}"); on_r=$(median "${relay[on]}")
awk -v a="$off_a" -v b="$on_a" -v c="$off_r" -v d="$on_r" \
  'BEGIN{printf "journal cost: accept %.1f %%, relay %.1f %% (target: at most 10 %% each)\n", (a-b)*100/a, (c-d)*100/c}'
off_ac=$(median "${accept_cpu[off]}"); on_ac=$(median "${accept_cpu[on]}")
off_rc=$(median "${relay_cpu[off]}"); on_rc=$(median "${relay_cpu[on]}")
awk -v a="$off_ac" -v b="$on_ac" -v c="$off_rc" -v d="$on_rc" \
  'BEGIN{printf "by CPU per request (the rate a CPU-bound node loses): accept %.1f %%, relay %.1f %%\n", (b-a)*100/b, (d-c)*100/d}'
