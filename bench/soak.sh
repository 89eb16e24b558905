#!/usr/bin/env bash
# Soak: MINUTES (default 30) of mixed load on one gateway (sync echo, async
# PUSH with 20 % of PUSHes failing, PULL with confirmations and RESENDs,
# status queries), sampling its RSS and open fds, then a drain. Prints
# requests by outcome, RSS and socket growth, stuck and lost messages; exits
# non-zero on any loss, stuck message, unexpected answer, or growth beyond
# the bounds (bench/soak.py --help). Everything on 127.0.0.1; stops at the end.
#   bash bench/soak.sh [minutes=30] [extra soak.py options...]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
MINUTES=${1:-30}
shift $(( $# > 0 ? 1 : 0 ))
BUILD=${BUILD:-build-bench}
build_release qaqpa

python3 bench/soak.py --port 0 --pid 0 --minutes "$MINUTES" --recipient-port-file "$work/recipient" "$@" &
soak_pid=$!
for _ in $(seq 100); do [ -s "$work/recipient" ] && break; sleep 0.1; done
recipient_port=$(cat "$work/recipient")
cat >"$work/qaqpa.toml" <<TOML
[node]
data_dir = "$work/data"
[listeners.public]
port = 0
[listeners.admin]
port = 0
token_file = "$work/admin.token"
[limits]
pull_lease_ms = 3000
[[systems]]
id = "sender"
password = "sender-password"
[[systems]]
id = "owner"
password = "owner-password"
[[delivery_points]]
id = "echo"
url = "builtin:echo"
[[delivery_points]]
id = "recipient"
url = "http://127.0.0.1:$recipient_port/"
retries = 50
backoff_ms = 50
backoff_max_ms = 500
timeout_ms = 5000
concurrency = 8
[[services]]
id = "echo"
owner = "owner"
delivery_point = "echo"
[[services]]
id = "push-svc"
owner = "owner"
mode = "async"
delivery_point = "recipient"
[[services]]
id = "inbox"
owner = "owner"
mode = "async"
delivery = "pull"
[[access]]
system = "sender"
service = "echo"
[[access]]
system = "sender"
service = "push-svc"
[[access]]
system = "sender"
service = "inbox"
TOML
start_qaqpa "$work/qaqpa.toml" "$work/qaqpa.out"
echo "conditions: $(nproc) cores, release build, durable writes, all on 127.0.0.1"
echo "$qaqpa_port $qaqpa_pid" >"$work/recipient.go"
status=0
wait "$soak_pid" || status=$?
exit $status
