#!/usr/bin/env bash
# HTTPS next to HTTP on the public listener: wrk with keep-alive, N
# connections, a ~2 KB SendMessage relayed to a loopback provider
# (bench_provider), the plain gateway and the TLS one (the test PKI's P-256
# server certificate, TLS 1.3 as wrk negotiates it) alternating round by
# round, medians. Prints req/s and the gateway's CPU µs per request.
# Everything runs on 127.0.0.1 and stops at the end. Usage (repository root):
#   bash bench/tls_bench.sh [connections=64] [seconds=8] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
CONNS=${1:-64}
SECS=${2:-8}
ROUNDS=${3:-3}
BUILD=${BUILD:-build-bench}

need_packages wrk
build_release qaqpa bench_provider make_request
bash tests/support/pki/make_pki.sh "$work/pki" >/dev/null

start_provider
write_config() { # http | https
  mkdir -p "$work/$1"
  {
    qaqpa_config_head "$work/$1"
    cat <<TOML
[[delivery_points]]
id = "remote"
url = "http://127.0.0.1:$provider_port/"
[[services]]
id = "remote"
owner = "bench"
delivery_point = "remote"
[[access]]
system = "bench"
service = "remote"
TOML
    if [ "$1" = https ]; then
      printf '[listeners.public.tls]\ncert = "%s"\nkey = "%s"\n' "$work/pki/tls-server.pem" "$work/pki/tls-server.key"
    fi
  } >"$work/$1.toml"
}
"$BUILD/bench/make_request" remote bench bench-password 2048 >"$work/request.xml"
post_lua request
declare -A rates cpus
for scheme in http https; do write_config "$scheme"; done
for round in $(seq "$ROUNDS"); do
  for scheme in http https; do
    start_qaqpa "$work/$scheme.toml" "$work/$scheme.out"
    read -r r c bad <<<"$(wrk_measured "$work/request.lua" "$scheme://127.0.0.1:$qaqpa_port/bip-sync/")"
    [ "$bad" = 0 ] || { echo "$scheme: $bad answers were not 200" >&2; exit 1; }
    rates[$scheme]+="$r "; cpus[$scheme]+="$c "
    stop_qaqpa
  done
done
echo "== relay: $(nproc) cores, $CONNS keep-alive connections, ${SECS} s per run, $ROUNDS rounds (medians), ~2 KB, 127.0.0.1"
printf "%-10s %10s %12s   %s\n" listener "req/s" "gateway µs" "(rounds)"
for scheme in http https; do
  printf "%-10s %10s %12s   (%s)\n" "$scheme" "$(median "${rates[$scheme]}")" "$(median "${cpus[$scheme]}")" "${rates[$scheme]}"
done
awk -v a="$(median "${rates[https]}")" -v b="$(median "${rates[http]}")" 'BEGIN{printf "https/http: %.2f×\n", a/b}'
