#!/usr/bin/env bash
# The standard benchmark set (`make bench`): runs auditorium-bench on fresh temporary directories,
# shows each run's report, and ends with one JSON line per run. Builds nothing.
#
#   scripts/bench.sh build/bin/auditorium-bench
#
# The directories are made with `mktemp -d` under $BENCH_TMPDIR (default: $TMPDIR, else /tmp) and
# removed afterwards. They must be on a real disk: on tmpfs a sync costs nothing and the numbers
# mean nothing. Takes about four minutes on a 2-core machine with an SSD, and about 8 GB of disk for
# the proof benchmark's 10 million entries.
set -euo pipefail

bench=${1:?usage: scripts/bench.sh path/to/auditorium-bench}
if [[ ! -x $bench ]]; then
    echo "bench.sh: $bench is not an executable; build it first (make build)" >&2
    exit 2
fi
parent=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}
if [[ $(stat -f -c %T "$parent") == tmpfs ]]; then
    echo "bench.sh: warning: $parent is tmpfs, where syncs are free; set BENCH_TMPDIR to a disk" >&2
fi

dirs=()
cleanup() {
    local d
    for d in "${dirs[@]}"; do rm -rf -- "$d"; done
}
trap cleanup EXIT

results=()
# once TITLE BENCHMARK ARGS...: one run in a fresh directory; keeps its JSON line.
once() {
    local title=$1
    shift
    echo "== $title" >&2
    local d
    d=$(mktemp -d "$parent/auditorium-bench.XXXXXX")
    dirs+=("$d")
    local out
    out=$("$bench" "$1" --data "$d/data" "${@:2}")
    results+=("$(tail -n 1 <<<"$out")")
    rm -rf -- "$d"
}

# run NAME ARGS...: one `append` run.
run() {
    local name=$1
    shift
    once "$name" append "$@"
}

run "64 appenders, one event per append" --appenders 64 --events 200000
run "64 appenders on 2 threads (append_async), one event per append" --appenders 64 --threads 2 --events 200000
run "1 appender, one event per append" --appenders 1 --events 20000
run "4 appenders, 1000 events per append" --appenders 4 --events 1000000 --batch 1000

echo "== sealing, encoding and hashing per event, on one thread" >&2
results+=("$("$bench" seal | tail -n 1)")
once "verification, export and proofs on 200,000 entries" verify --entries 200000
once "proofs on 10,000,000 entries (writing them takes about two minutes)" proof
once "rebuilding the read models from 1,000,000 domain events (writing them takes about three minutes)" \
    replay --events 1000000

echo "== results" >&2
printf '%s\n' "${results[@]}"
