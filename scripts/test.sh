#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite (ctest), then the same suites
# again under AddressSanitizer + UndefinedBehaviorSanitizer, then each fuzz target for a few
# seconds (clang + libFuzzer). Non-zero on any failure.
#   scripts/test.sh            both lanes
#   SKIP_SANITIZE=1 SKIP_FUZZ=1 scripts/test.sh   the plain lane only (quick local runs)
#   SKIP_FUZZ=1 scripts/test.sh       without the short fuzzing run (FUZZ_SECONDS each, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}

bash scripts/install-deps.sh

run_lane() {
  local name=$1 dir=$2; shift 2
  echo "== lane: $name ($dir)"
  # Unity builds: one compiler run per 16 files, so headers such as nlohmann/json and httplib are
  # parsed a few dozen times instead of hundreds (CI on 2 cores). Targets whose files collide opt out.
  cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Check -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
  (cd "$dir" && ctest --output-on-failure -j "$JOBS" --timeout 300)
}

run_lane plain "$ROOT/build"
if [ "${SKIP_SANITIZE:-0}" != "1" ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_lane sanitize "$ROOT/build-asan" -DUNDERSTUDY_SANITIZE=ON -DCMAKE_CXX_FLAGS_CHECK="-O1 -g1"
fi
# Fuzzing (docs/testing.md): every libFuzzer target for a few seconds from its corpus, in a clang
# build of its own. Long runs: scripts/fuzz.sh.
# A random run can find a new input in any change's CI: that run fails with the input in
# build-fuzz/fuzz-artifacts/, which becomes a regression test with its fix (docs/testing.md).
if [ "${SKIP_FUZZ:-0}" != "1" ]; then
  echo "== lane: fuzz ($ROOT/build-fuzz)"
  JOBS=$JOBS bash scripts/fuzz.sh "${FUZZ_SECONDS:-5}"
fi
echo "test.sh: all lanes passed"
