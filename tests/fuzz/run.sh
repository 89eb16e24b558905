#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in BUILD_DIR and runs each for
# SECONDS (default 30) on a working copy of its seed corpus (the tree's
# corpus is never written). Exits 77 (skipped) when clang++ is absent, 1 on
# any crash, sanitizer report or leak. Figures per target: runs, coverage,
# corpus size.
#   tests/fuzz/run.sh build/fuzz 600    # ten minutes each
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}"
seconds="${2:-30}"
shift $(( $# >= 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(soap_parse rest_parse http_request config journal_line)

if ! command -v clang++ >/dev/null; then
  echo "SKIPPED: clang++ is not installed (.ci/install-deps installs it)"
  exit 77
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DQAQPA_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if ! cmake --build "$build" --target $(printf '%s_fuzz ' "${targets[@]}") >"$build/build.log" 2>&1; then
  echo "FAILED: building the fuzz targets (log: $build/build.log)"
  tail -40 "$build/build.log"
  exit 1
fi

status=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  mkdir -p "$work"
  cp -n "$here/corpus/$t"/* "$work"/ 2>/dev/null || true
  log="$build/$t.log"
  if "$build/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$build/$t-" -print_final_stats=1 "$work" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    echo "$t: ${seconds}s, $runs runs, coverage $cov edges, corpus $(ls "$work" | wc -l) inputs, no crash"
  else
    echo "$t: FAILED (log: $log)"
    tail -40 "$log"
    status=1
  fi
done
exit $status
