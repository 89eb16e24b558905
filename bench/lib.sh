# Shared by the benchmark scripts (sourced, not run): a work directory and
# background processes cleaned up on exit, and small helpers.

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Installs Debian packages that are missing (idempotent).
need_packages() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
      DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p"; }
  done
}

# The project's own dependencies, then a Release build of the given targets
# in $BUILD (each script sets it, default build-bench).
build_release() {
  bash .ci/install-deps
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target "$@" >/dev/null
}

wait_line() { # file prefix → the port from "prefix 127.0.0.1:PORT" (30 s at most)
  for _ in $(seq 300); do
    line=$(grep -m1 "^$2" "$1" 2>/dev/null || true)
    [ -n "$line" ] && { echo "${line##*:}"; return; }
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2; exit 1
}
# "k1 v1 k2 v2 ..." key → the value after the key (the drivers' output lines).
field() { tr ' ' '\n' <<<"$1" | awk -v k="$2" 'prev==k{print; exit} {prev=$0}'; }

# Starts "$BUILD/cmd/qaqpa" on config $1, its stdout in $2, log level $3
# (warn); sets qaqpa_pid, qaqpa_port and qaqpa_admin once it listens.
start_qaqpa() {
  QAQPA_LOG=${3:-warn} "$BUILD/cmd/qaqpa" serve --config "$1" >"$2" &
  qaqpa_pid=$!
  pids+=($qaqpa_pid)
  qaqpa_port=$(wait_line "$2" "qaqpa: listening public")
  qaqpa_admin=$(wait_line "$2" "qaqpa: listening admin")
}
# The head of a bench configuration: data and the admin token under $1,
# listeners on free ports, [limits] with room for deep queues, and the IS
# "bench" (password "bench-password"). Its delivery points, services and
# access rows follow.
qaqpa_config_head() {
  bench_hash=${bench_hash:-$(echo "bench-password" | "$BUILD/cmd/qaqpa" hash-password)}
  cat <<TOML
[node]
data_dir = "$1/data"
[listeners.public]
port = 0
[listeners.admin]
port = 0
token_file = "$1/admin.token"
[limits]
max_queue_depth = 10000000
[[systems]]
id = "bench"
password_hash = "$bench_hash"
TOML
}
stop_qaqpa() { kill "$qaqpa_pid"; wait "$qaqpa_pid" 2>/dev/null || true; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime+stime of a process, all its threads
ticks_of() { local sum=0 p; for p in "$@"; do sum=$((sum + $(cpu_ticks "$p"))); done; echo "$sum"; } # of several
# One measured wrk run of lua file $1 against URL $2 ($CONNS connections,
# $SECS s) after a warm-up: one connection first, so one scrypt check caches
# the login for every thread (64 at once would each run one, ~2.5 s of CPU
# inside the measured run), then all of them. Prints "requests/s
# gateway-CPU-µs-per-request non-2xx" ($qaqpa_pid's CPU, all its threads;
# the sum of $measured_pids' where several nodes serve one request).
wrk_measured() {
  wrk -t1 -c1 -d1s -s "$1" "$2" >/dev/null
  wrk -t1 -c"$CONNS" -d2s -s "$1" "$2" >/dev/null
  wrk_window "$1" "$2"
}
wrk_window() { # the measured run of wrk_measured alone, for a gateway already warm
  local t0 t1 out
  t0=$(ticks_of ${measured_pids:-$qaqpa_pid})
  out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$1" "$2")
  t1=$(ticks_of ${measured_pids:-$qaqpa_pid})
  awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
    '/requests in/{n=$1} /Requests\/sec/{r=$2} /Non-2xx/{bad=$NF} END{printf "%d %.1f %d", r, ticks*1e6/hz/n, bad}' <<<"$out"
}
start_provider() { # bench_provider on a free loopback port → provider_port
  "$BUILD/bench/bench_provider" 1 >"$work/provider.out" &
  pids+=($!)
  provider_port=$(wait_line "$work/provider.out" "bench_provider: listening")
}
post_lua() { # NAME → $work/NAME.lua: wrk POSTs $work/NAME.xml as SOAP
  cat >"$work/$1.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
local f = io.open("$work/$1.xml", "rb"); wrk.body = f:read("*a"); f:close()
LUA
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; } # of space-separated numbers
rss_mb() { awk '/VmRSS/{printf "%.1f", $2/1024}' "/proc/$1/status"; }
to_ms() { # wrk's "1.23ms" / "456.00us" / "1.2s" → milliseconds
  awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; printf "%.2f", v}' <<<"$1"
}

# Starts a PostgreSQL 15 server of its own under $work/pg (initdb, trust for
# user qaqpa, fsync and synchronous_commit on: durable as in production),
# listening on 127.0.0.1; sets pg_port and pg_as (how to run its binaries).
# Stopped by stop_postgres (call it from the script's EXIT trap).
pg_bin=/usr/lib/postgresql/15/bin
start_postgres() {
  pg_port=$(free_port)
  pg_as=()
  mkdir -p "$work/pg"
  if [ "$(id -u)" = 0 ]; then pg_as=(runuser -u postgres --); chown postgres "$work" "$work/pg"; fi
  "${pg_as[@]}" "$pg_bin/initdb" -D "$work/pg/data" -A trust -U qaqpa -E UTF8 >/dev/null
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg -c shared_buffers=512MB -c max_connections=200 -c max_wal_size=4GB" \
    start >/dev/null
}
stop_postgres() { "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true; }

# A PULL service "inbox" owned by "bench", and bench's access to it (TOML).
# The PUSH service "pushed" to point "recipient" at 127.0.0.1:$1; $2 more
# lines for the point (say "concurrency = 16").
push_service_toml() {
  cat <<TOML
[[delivery_points]]
id = "recipient"
url = "http://127.0.0.1:$1/"
${2:-}
[[services]]
id = "pushed"
owner = "bench"
mode = "async"
delivery_point = "recipient"
[[access]]
system = "bench"
service = "pushed"
TOML
}
pull_inbox_toml() {
  cat <<'TOML'
[[services]]
id = "inbox"
owner = "bench"
mode = "async"
delivery = "pull"
[[access]]
system = "bench"
service = "inbox"
TOML
}
