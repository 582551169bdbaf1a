#!/usr/bin/env bash
# Old against new, interleaved: runs the same benchmarks with two auditorium-bench binaries in
# turn, ROUNDS times, each run in a fresh directory, and prints one JSON line per run tagged with
# its binary and round; scripts/bench_median.py summarizes them. Used to show a refactoring is
# no slower (docs/benchmarks.md). Measure on a quiet machine: nothing else building or running.
#
#   scripts/bench_compare.sh OLD_BENCH NEW_BENCH [ROUNDS] > runs.jsonl
set -euo pipefail
old=${1:?usage: bench_compare.sh OLD_BENCH NEW_BENCH [ROUNDS]}
new=${2:?usage: bench_compare.sh OLD_BENCH NEW_BENCH [ROUNDS]}
rounds=${3:-5}
parent=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}

one() {  # one TAG ROUND BENCH NAME ARGS...
    local tag=$1 round=$2 bench=$3 name=$4
    shift 4
    local d
    d=$(mktemp -d "$parent/auditorium-bench.XXXXXX")
    local line
    line=$("$bench" "$@" --data "$d/data" 2>/dev/null | tail -n 1)
    rm -rf -- "$d"
    printf '{"binary":"%s","round":%d,"bench":"%s","result":%s}\n' "$tag" "$round" "$name" "$line"
}

for ((r = 1; r <= rounds; r++)); do
    for pair in "old:$old" "new:$new"; do
        tag=${pair%%:*}
        bench=${pair#*:}
        one "$tag" "$r" "$bench" append64 append --appenders 64 --events 60000
        one "$tag" "$r" "$bench" batch1000 append --appenders 4 --events 300000 --batch 1000
        one "$tag" "$r" "$bench" replay replay --events 100000
        one "$tag" "$r" "$bench" verify verify --entries 100000
        one "$tag" "$r" "$bench" proof proof --entries 300000
    done
    echo "bench_compare: round $r of $rounds done" >&2
done
