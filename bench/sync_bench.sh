#!/usr/bin/env bash
# Synchronous channel load run: wrk, N connections, ~2 KB SendMessage, to
#   1. qaqpa → built-in echo
#   2. qaqpa → a loopback SOAP provider (bench_provider)
#   3. nginx as a reverse proxy → the same provider (the baseline)
# Prints req/s, p50, p99 and, for the gateways, CPU and RSS. Everything runs
# on 127.0.0.1 and stops at the end. Usage (from the repository root):
#   bash bench/sync_bench.sh [connections=64] [seconds=15] [wrk_threads=1]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
CONNS=${1:-64}
SECS=${2:-15}
WRK_THREADS=${3:-1}
BUILD=${BUILD:-build-bench}

# Debian's nginx and wrk, installed idempotently like the rest.
need_packages nginx-light wrk
build_release qaqpa bench_provider make_request

start_provider

{ qaqpa_config_head "$work"; cat <<TOML; } >"$work/qaqpa.toml"
[[delivery_points]]
id = "echo"
url = "builtin:echo"
[[delivery_points]]
id = "provider"
url = "http://127.0.0.1:$provider_port/"
[[services]]
id = "echo"
owner = "bench"
delivery_point = "echo"
[[services]]
id = "remote"
owner = "bench"
delivery_point = "provider"
[[access]]
system = "bench"
service = "echo"
[[access]]
system = "bench"
service = "remote"
TOML
start_qaqpa "$work/qaqpa.toml" "$work/qaqpa.out"

nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  upstream provider { server 127.0.0.1:$provider_port; keepalive 128; }
  server {
    listen 127.0.0.1:$nginx_port;
    client_body_buffer_size 64k;
    location / {
      proxy_pass http://provider;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
pids+=($nginx_pid)
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$nginx_port) 2>/dev/null && break; sleep 0.1; done

"$BUILD/bench/make_request" echo bench bench-password 2048 >"$work/echo.xml"
"$BUILD/bench/make_request" remote bench bench-password 2048 >"$work/remote.xml"
for f in echo remote; do
  post_lua "$f"
done

tree_ticks() { # nginx: master + workers
  local total=0
  for p in $1 $(pgrep -P "$1" || true); do total=$((total + $(cpu_ticks "$p"))); done
  echo $total
}
tree_rss_kb() {
  local total=0
  for p in $1 $(pgrep -P "$1" || true); do total=$((total + $(awk '/VmRSS/{print $2}' "/proc/$p/status"))); done
  echo $total
}

printf "%-28s %10s %9s %9s %8s %9s %7s\n" "run" "req/s" "p50 ms" "p99 ms" "CPU %" "RSS MB" "errors"
run() { # name lua port pid
  local name=$1 lua=$2 port=$3 pid=$4
  # Warm-up: one connection first, so one scrypt check caches the login
  # (64 at once would each run one: ~2.5 s of CPU spilling into the measured
  # run), then all of them (connections, caches).
  wrk -t1 -c1 -d1s -s "$lua" "http://127.0.0.1:$port/bip-sync/" >/dev/null
  wrk -t"$WRK_THREADS" -c"$CONNS" -d2s -s "$lua" "http://127.0.0.1:$port/bip-sync/" >/dev/null
  local t0; t0=$(tree_ticks "$pid")
  local out; out=$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" --latency -s "$lua" "http://127.0.0.1:$port/bip-sync/")
  local t1; t1=$(tree_ticks "$pid")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/{print $NF}' <<<"$out"); errors=${errors:-0}
  local sock; sock=$(awk '/Socket errors/{print $0}' <<<"$out")
  [ -n "$sock" ] && errors="$errors ($sock)"
  local hz; hz=$(getconf CLK_TCK)
  local cpu; cpu=$(awk -v a="$t0" -v b="$t1" -v s="$SECS" -v hz="$hz" 'BEGIN{printf "%.0f", (b-a)/hz/s*100}')
  local rss; rss=$(awk -v k="$(tree_rss_kb "$pid")" 'BEGIN{printf "%.1f", k/1024}')
    printf "%-28s %10s %9s %9s %8s %9s %7s\n" "$name" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$cpu" "$rss" "$errors"
}

echo "conditions: $(nproc) cores, wrk -t$WRK_THREADS -c$CONNS -d${SECS}s, $(wc -c <"$work/remote.xml") byte SendMessage, all on 127.0.0.1"
run "qaqpa -> builtin echo" "$work/echo.lua" "$qaqpa_port" "$qaqpa_pid"
run "qaqpa -> loopback provider" "$work/remote.lua" "$qaqpa_port" "$qaqpa_pid"
run "nginx -> loopback provider" "$work/remote.lua" "$nginx_port" "$nginx_pid"
