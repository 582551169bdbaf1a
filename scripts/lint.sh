#!/usr/bin/env bash
# `make lint`: the habits a machine can check (docs/style.md, "Lint").
#   1. clang-format-14 --dry-run -Werror over every tracked *.cpp and *.hpp (.clang-format);
#   2. clang-tidy-14 (.clang-tidy: bugprone, performance, concurrency) over the non-test sources in
#      $BUILD/compile_commands.json; with LINT_BASE=<git ref>, only over the sources changed since
#      that ref (a changed header brings in the .cpp beside it);
#   3. scripts/check_sizes.py: files in eventstore/ projections/ domain/ commands/ at most 600
#      lines, functions outside tests/ and bench/ at most 80.
# Every check runs; each prints its failures as file:line; the exit status is 1 if any failed.
# Needs a configured $BUILD (the Makefile's `lint` target configures it); builds only the
# generated flatbuffers headers the sources include.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
JOBS=${JOBS:-$(nproc)}
LINT_BASE=${LINT_BASE:-}
failed=()

stage() { echo "lint: $1" >&2; stage_start=$(date +%s); }
stage_done() { echo "lint: $1 took $(( $(date +%s) - stage_start )) s" >&2; }

# ---- 1. formatting ----
stage "clang-format"
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
format_log=$(clang-format-14 --dry-run -Werror "${sources[@]}" 2>&1)
if [ $? -ne 0 ]; then
  grep ': error: ' <<<"$format_log" | sed 's/: error: code should be clang-formatted.*/: not clang-formatted/'
  bad=$(grep ': error: ' <<<"$format_log" | cut -d: -f1 | sort -u | wc -l)
  echo "lint: clang-format: $bad of ${#sources[@]} files differ from .clang-format" \
       "(clang-format-14 -i <file> fixes one)" >&2
  failed+=(clang-format)
fi
stage_done "clang-format"

# ---- 2. clang-tidy ----
stage "clang-tidy"
if [ ! -f "$BUILD/compile_commands.json" ]; then
  echo "lint: no $BUILD/compile_commands.json; configure $BUILD first (make lint does)" >&2
  failed+=(clang-tidy)
else
  cmake --build "$BUILD" --target aud_domain_schema aud_eventstore_schema >/dev/null || failed+=(clang-tidy)
  changed=""
  if [ -n "$LINT_BASE" ]; then
    changed=$(git diff --name-only --diff-filter=d "$LINT_BASE" -- '*.cpp' '*.hpp') || {
      echo "lint: LINT_BASE=$LINT_BASE is not a git ref" >&2; exit 2; }
  fi
  # Anchored regexes for run-clang-tidy: every non-test source in the database, or with
  # LINT_BASE the changed ones.
  mapfile -t tidy_files < <(LINT_BASE="$LINT_BASE" LINT_CHANGED="$changed" python3 - "$BUILD/compile_commands.json" <<'EOF'
import json, os, re, sys
root = os.getcwd()
files = sorted({os.path.realpath(os.path.join(e["directory"], e["file"])) for e in json.load(open(sys.argv[1]))})
files = [f for f in files if not os.path.relpath(f, root).startswith(("tests/", ".."))]
if os.environ.get("LINT_BASE"):
    wanted = set()
    for rel in os.environ["LINT_CHANGED"].split():
        wanted.add(os.path.join(root, re.sub(r"\.hpp$", ".cpp", rel)))
    files = [f for f in files if f in wanted]
for f in files:
    print("^" + re.escape(f) + "$")
EOF
  )
  if [ ${#tidy_files[@]} -eq 0 ]; then
    echo "lint: clang-tidy: no changed sources since $LINT_BASE" >&2
  else
    echo "lint: clang-tidy over ${#tidy_files[@]} sources, $JOBS at a time" >&2
    # GCC's flags are in the database; clang does not know some of them (-Wno-restrict).
    tidy_log=$(run-clang-tidy-14 -p "$BUILD" -j "$JOBS" -quiet -extra-arg=-Wno-unknown-warning-option \
                 "${tidy_files[@]}" 2>&1)
    tidy_status=$?
    tidy_log=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$tidy_log")  # run-clang-tidy-14 always asks for colour
    # The findings with their context, without run-clang-tidy's command lines.
    grep -v -E '^(clang-tidy-14 |\[[0-9]+/[0-9]+\]|[0-9]+ (warnings?|errors?) (generated|treated as errors)|Error while processing)' \
      <<<"$tidy_log"
    if [ $tidy_status -ne 0 ] || grep -q -E ': (warning|error): .*\[(bugprone|performance|concurrency)-' <<<"$tidy_log"; then
      n=$(grep -E ': (warning|error): .*\[(bugprone|performance|concurrency)-' <<<"$tidy_log" | sort -u | wc -l)
      echo "lint: clang-tidy: $n findings (a header's are shown once per source including it)" >&2
      failed+=(clang-tidy)
    fi
  fi
fi
stage_done "clang-tidy"

# ---- 3. sizes ----
stage "file and function sizes"
python3 scripts/check_sizes.py || failed+=(sizes)
stage_done "file and function sizes"

if [ ${#failed[@]} -ne 0 ]; then
  echo "lint: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "lint: all checks pass" >&2
