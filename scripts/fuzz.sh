#!/usr/bin/env bash
# Runs each libFuzzer target for a fixed time, one after another, each on a scratch copy of its
# committed seed corpus (tests/fuzz/corpus/<target>/), so the committed corpus never grows.
#   scripts/fuzz.sh BIN_DIR SECONDS TARGET...
# A crash, a sanitizer report, a leak or a timeout fails the target; its reproducer and the
# target's full log are kept under $FUZZ_OUT/<target>/ (default fuzz-out/). Every target runs even
# if an earlier one fails; the exit status is non-zero if any failed. Reproduce a finding with
#   BIN_DIR/<target> fuzz-out/<target>/crash-<sha1>
set -uo pipefail

[ $# -ge 3 ] || { echo "usage: $0 BIN_DIR SECONDS TARGET..." >&2; exit 2; }
bin=$1
seconds=$2
shift 2
out=${FUZZ_OUT:-fuzz-out}
corpus_root=$(dirname "$0")/../tests/fuzz/corpus

work=$(mktemp -d "${TMPDIR:-/tmp}/auditorium-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for target in "$@"; do
  mkdir -p "$work/$target" "$out/$target"
  if [ -d "$corpus_root/$target" ]; then cp -R "$corpus_root/$target/." "$work/$target/"; fi
  log=$out/$target/fuzz.log
  echo "fuzz: $target for ${seconds} s (log: $log)"
  start=$(date +%s)
  "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/$target/" "$work/$target" >"$log" 2>&1
  rc=$?
  # The last status line ("#N DONE cov: .. ft: .. corp: .. exec/s: ..") and the final stats.
  grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 | sed 's/^/  /'
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | sed 's/^/  /'
  echo "  ran $(( $(date +%s) - start )) s, exit status $rc"
  if [ "$rc" -ne 0 ]; then
    failed+=("$target")
    echo "fuzz: $target FAILED; the end of its log:" >&2
    tail -n 40 "$log" >&2
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in ${failed[*]}; reproducers under $out/" >&2
  exit 1
fi
echo "fuzz: no findings in $*"
