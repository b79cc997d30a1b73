# checks.sh — tiny assertion helpers for the shell interop tests (sourced).
fails=0
# expect_contains WHAT OUTPUT NEEDLE
expect_contains() {
  if [[ "$2" == *"$3"* ]]; then
    echo "ok: $1"
  else
    echo "FAIL: $1: expected to find: $3" >&2
    echo "--- output was:" >&2
    echo "$2" >&2
    fails=$((fails + 1))
  fi
}
finish() {
  if [ "$fails" -ne 0 ]; then echo "$fails check(s) failed" >&2; exit 1; fi
  exit 0
}
