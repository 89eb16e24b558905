#!/usr/bin/env bash
# What transport signatures cost. First per core, on one thread: signing a
# ~2 KB SendMessage as the gateway and verifying a caller's signature on
# one, for an RSA-2048 and an ECDSA P-256 key, next to the bare signature
# operation with the same key, and `openssl speed` for the same key sizes in
# the same run. Then the relay (wrk, 64 connections): a signed SendMessage on
# /bip-sync-wss-gost/ to a security_mode 1 point (the caller's signature
# checked, the forwarded request and the answer signed by the gateway) next
# to the unsigned one on /bip-sync/ to a plain point, alternating, medians;
# the gateway signs with an RSA-2048 key, then with an ECDSA P-256 one, then
# (with OpenSSL's GOST engine) a GOST R 34.10-2012 256-bit one.
# wss_speed also encrypts and decrypts the Body (RSA-2048, AES-256-GCM)
# next to the bare RSA-OAEP key transport.
# Everything runs on 127.0.0.1 and stops at the end. Usage (repository root):
#   bash bench/wss_bench.sh [connections=64] [seconds=8] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
CONNS=${1:-64}
SECS=${2:-8}
ROUNDS=${3:-3}
BUILD=${BUILD:-build-bench}

need_packages wrk
build_release qaqpa bench_provider make_request wss_speed
bash tests/support/pki/make_pki.sh "$work/pki" >/dev/null

echo "== per core (one thread)"
"$BUILD/bench/wss_speed" "$work/pki" 2
echo "== openssl speed, same key sizes (one thread)"
openssl speed -seconds 2 rsa2048 ecdsap256 2>/dev/null | grep -E "^(rsa 2048|\s*256 bits ecdsa|\s+sign)"

start_provider
write_config() { # gateway key name (gateway | gateway-ec | gateway-gost)
  {
    qaqpa_config_head "$work/$1"
    cat <<TOML
bin = "123456789012"
[security]
gateway_cert = "$work/pki/$1.pem"
gateway_key = "$work/pki/$1.key"
trusted_ca = ["$work/pki/ca.pem"]
crls = ["$work/pki/crl.pem"]
[[delivery_points]]
id = "plain"
url = "http://127.0.0.1:$provider_port/"
[[delivery_points]]
id = "signed"
url = "http://127.0.0.1:$provider_port/"
security_mode = 1
[[services]]
id = "remote"
owner = "bench"
delivery_point = "plain"
[[services]]
id = "remote-signed"
owner = "bench"
delivery_point = "signed"
[[access]]
system = "bench"
service = "remote"
[[access]]
system = "bench"
service = "remote-signed"
TOML
  } >"$work/$1.toml"
}
"$BUILD/bench/make_request" remote bench bench-password 2048 >"$work/plain.xml"
"$BUILD/bench/make_request" remote-signed bench bench-password 2048 |
  "$BUILD/bench/wss_speed" sign "$work/pki/sender.pem" "$work/pki/sender.key" >"$work/signed.xml"
for kind in plain signed; do
  post_lua "$kind"
done
rate() { wrk_measured "$work/$1.lua" "http://127.0.0.1:$qaqpa_port$2"; } # lua name, path → "req/s µs non-2xx"
declare -A rates cpus
keys=(gateway gateway-ec)
[ -f "$work/pki/gateway-gost.pem" ] && keys+=(gateway-gost)
for key in "${keys[@]}"; do
  mkdir -p "$work/$key"
  write_config "$key"
  start_qaqpa "$work/$key.toml" "$work/$key.out"
  for round in $(seq "$ROUNDS"); do
    read -r r c bad <<<"$(rate plain /bip-sync/)"
    [ "$bad" = 0 ] || { echo "plain relay: $bad answers were not 200" >&2; exit 1; }
    rates[plain]+="$r "; cpus[plain]+="$c "
    read -r r c bad <<<"$(rate signed /bip-sync-wss-gost/)"
    [ "$bad" = 0 ] || { echo "signed relay ($key): $bad answers were not 200" >&2; exit 1; }
    rates[$key]+="$r "; cpus[$key]+="$c "
  done
  stop_qaqpa
done
echo "== relay: $(nproc) cores, $CONNS connections, ${SECS} s per run, $ROUNDS rounds (medians), ~2 KB, 127.0.0.1"
printf "%-34s %10s %12s   %s\n" relay "req/s" "gateway µs" "(rounds)"
printf "%-34s %10s %12s   (%s)\n" "unsigned, /bip-sync/" "$(median "${rates[plain]}")" "$(median "${cpus[plain]}")" "${rates[plain]}"
for key in "${keys[@]}"; do
  case $key in gateway) name=RSA-2048 ;; gateway-ec) name=P-256 ;; *) name="GOST 2012-256" ;; esac
  label="signed, $name gateway key"
  printf "%-34s %10s %12s   (%s)\n" "$label" "$(median "${rates[$key]}")" "$(median "${cpus[$key]}")" "${rates[$key]}"
done
echo "(signed: the caller's RSA-2048 signature checked, the forwarded request and the answer signed)"
