#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz, docs/testing.md "Fuzzing") from a clang build in
# build-fuzz/. Each target starts from its corpus in tests/fuzz/corpus/<target> (never written:
# new inputs go to build-fuzz/fuzz-work/<target>), and a crash leaves its input in
# build-fuzz/fuzz-artifacts/. Non-zero when any target found something.
#   scripts/fuzz.sh                       every target, 10 minutes each
#   scripts/fuzz.sh 3600 quote tds        these targets, an hour each
#   FUZZ_NO_BUILD=1 scripts/fuzz.sh 5     skip the build (scripts/test.sh builds first)
# A crash found: copy the artifact into tests/fuzz/regressions/<target>/ (ctest replays it in
# every lane from then on: fuzz_<target>_corpus), fix the code, and commit both.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SECONDS_EACH=${1:-600}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=($(ls "$ROOT/tests/fuzz/corpus"))
fi

if [ "${FUZZ_NO_BUILD:-0}" != "1" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Check -DCMAKE_CXX_COMPILER=clang++ -DUNDERSTUDY_FUZZ=ON \
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
  cmake --build "$BUILD" -j "${JOBS:-$(nproc)}" --target fuzz_all
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${TARGETS[@]}"; do
  bin="$BUILD/bin/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz: no target $t ($bin)" >&2; exit 64; }
  work="$BUILD/fuzz-work/$t"
  artifacts="$BUILD/fuzz-artifacts"
  mkdir -p "$work" "$artifacts"
  echo "== fuzz: $t for ${SECONDS_EACH}s"
  if ! "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$t-" "$work" "$ROOT/tests/fuzz/corpus/$t" >"$BUILD/fuzz-$t.log" 2>&1; then
    tail -40 "$BUILD/fuzz-$t.log" >&2
    echo "fuzz: $t found a crash; its input is in $artifacts/ (see the header of this script)" >&2
    failed+=("$t")
  else
    grep -E "stat::number_of_executed_runs|stat::new_units_added" "$BUILD/fuzz-$t.log" | tr '\n' ' '
    echo
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} target(s) ran ${SECONDS_EACH}s each without a finding"
