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
{
  qaqpa_config_head "$work/far"
  security "$KEY"
  cat <<TOML
[[systems]]
id = "gw-near"
password_hash = "$hop_hash"
bin = "990000000001"
gateway = true
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
TOML
} >"$work/far/qaqpa.toml"
start_qaqpa "$work/far/qaqpa.toml" "$work/far/out"
far_pid=$qaqpa_pid far_port=$qaqpa_port

{
  qaqpa_config_head "$work/near"
  security "$KEY"
  cat <<TOML
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
[[services]]
id = "remote"
owner = "bench"
delivery_point = "to-far"
[[access]]
system = "bench"
service = "remote"
TOML
} >"$work/near/qaqpa.toml"
start_qaqpa "$work/near/qaqpa.toml" "$work/near/out"
near_pid=$qaqpa_pid near_port=$qaqpa_port

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
