#!/usr/bin/env bash
# What this machine's PostgreSQL 15 takes durably, for the PostgreSQL store
# to come (issue "Scale-out"): pgbench inserts ~2 KB messages into a table of
# the store's shape (uuid key, queue and sequence, body, tracking; an index
# on the queue), fsync and synchronous_commit on, one message per
# transaction next to batches of BATCH (what a group-committing node would
# write), and the disk's own fsync rate. The anchor the store's accept rate
# is judged against.
# Usage: bash bench/pg_ceiling.sh [seconds=10] [batch=16]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SECS=${1:-10}
BATCH=${2:-16}
bash .ci/install-deps >/dev/null
start_postgres
trap 'stop_postgres; cleanup' EXIT
bin=$pg_bin
port=$pg_port
psql=(psql -X -q -h 127.0.0.1 -p "$port" -U qaqpa -d postgres)
"${psql[@]}" -c "CREATE TABLE messages (id uuid PRIMARY KEY, destination text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY, body bytea NOT NULL, tracking bytea NOT NULL);
  CREATE INDEX ON messages (destination, seq);"
row="gen_random_uuid(), 'point', convert_to(repeat('x', 2000), 'UTF8'), convert_to(repeat('t', 200), 'UTF8')"
echo "INSERT INTO messages (id, destination, body, tracking) VALUES ($row);" >"$work/one.sql"
echo "INSERT INTO messages (id, destination, body, tracking) SELECT $row FROM generate_series(1, $BATCH);" >"$work/batch.sql"

run() { # script clients → messages/s
  local tps
  tps=$("$bin/pgbench" -n -h 127.0.0.1 -p "$port" -U qaqpa -c "$2" -j 2 -T "$SECS" -f "$work/$1" postgres 2>/dev/null |
    awk '/^tps/{print $3}')
  awk -v t="$tps" -v n="$3" 'BEGIN{printf "%.0f", t * n}'
}
echo "== PostgreSQL 15 durable inserts: $(nproc) cores, ~2.2 KB messages, ${SECS} s per run, 127.0.0.1"
printf '%-34s %12s\n' "run" "messages/s"
for c in 8 64; do printf '%-34s %12s\n' "one per transaction, $c clients" "$(run one.sql "$c" 1)"; done
for c in 4 8; do printf '%-34s %12s\n' "$BATCH per transaction, $c clients" "$(run batch.sql "$c" "$BATCH")"; done
printf '%-34s %12s\n' "fsync of the disk alone (per s)" \
  "$("$bin/pg_test_fsync" -s 2 -f "$work/fsync.test" 2>/dev/null | awk '/fdatasync/ && /ops/{print int($2); exit}')"
