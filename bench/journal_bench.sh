#!/usr/bin/env bash
# What the logging journal costs: the async accept rate (wrk, sendMessage
# to a PULL service, ~2 KB, durable) and the sync relay rate (wrk,
# SendMessage relayed to a loopback provider) with [journal] enabled = false,
# with it on, and with it on while /metrics is scraped every second. Modes
# alternate round by round on a fresh gateway each (so drift hits them all
# alike); medians of ROUNDS are printed. BASELINE=path/to/qaqpa adds the same
# runs on another build (an earlier commit: it gets no [journal] table).
# Everything runs on 127.0.0.1 and stops at the end. Usage (repository root):
#   bash bench/journal_bench.sh [connections=64] [seconds=10] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
CONNS=${1:-64}
SECS=${2:-10}
ROUNDS=${3:-3}
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

rate() { wrk_measured "$work/$1.lua" "http://127.0.0.1:$qaqpa_port$2"; } # lua name, path

modes=(off on on+scrape)
[ -n "$BASELINE" ] && modes=(baseline "${modes[@]}")
declare -A accept relay accept_cpu relay_cpu
for round in $(seq "$ROUNDS"); do
  for mode in "${modes[@]}"; do
    dir="$work/$mode-$round"
    case $mode in
      baseline) write_config "$dir" none ;;
      off) write_config "$dir" off ;;
      *) write_config "$dir" on ;;
    esac
    bin="$BUILD/cmd/qaqpa"
    [ "$mode" = baseline ] && bin="$BASELINE"
    QAQPA_LOG=warn "$bin" serve --config "$dir/qaqpa.toml" >"$dir/out" &
    qaqpa_pid=$!
    pids+=($qaqpa_pid)
    qaqpa_port=$(wait_line "$dir/out" "qaqpa: listening public")
    qaqpa_admin=$(wait_line "$dir/out" "qaqpa: listening admin")
    scraper=""
    if [ "$mode" = on+scrape ]; then
      token=$(cat "$dir/admin.token")
      (while sleep 1; do curl -s -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$qaqpa_admin/metrics"; done) &
      scraper=$!
    fi
    read -r r c _ <<<"$(rate send /bip-async/)"; accept[$mode]+="$r "; accept_cpu[$mode]+="$c "
    read -r r c _ <<<"$(rate sync /bip-sync/)"; relay[$mode]+="$r "; relay_cpu[$mode]+="$c "
    [ -n "$scraper" ] && kill "$scraper"
    kill "$qaqpa_pid"; wait "$qaqpa_pid" 2>/dev/null || true
    rm -rf "$dir/data"
  done
done

echo "conditions: $(nproc) cores, $CONNS connections, ${SECS} s per run, $ROUNDS rounds (medians), ~2 KB messages, durable, 127.0.0.1"
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
