#!/usr/bin/env bash
# The nightly drift-sync job: snapshot the primary, apply what the DR target is missing, and
# prove it with the pre-cutover gate. Meant for a systemd timer (scripts/systemd/) or cron; runs
# the `understudy` CLI directly, so it works whether or not `understudy serve` is running.
#
#   UNDERSTUDY_CONFIG=/etc/understudy/understudy.toml scripts/nightly-drift-sync.sh payments [billing …]
#
# Environment: UNDERSTUDY (the binary, default `understudy` on PATH), UNDERSTUDY_CONFIG (used by the
# binary itself), GATE (default pre-cutover), DRY_RUN=1 (plan only).
# Exit: 0 every pair synced and its gate passes; otherwise the first non-zero code seen
# (1 gate fails, 2 gate unknown, 4 partial sync, 69 unreachable, …) after trying every pair.
set -uo pipefail

understudy=${UNDERSTUDY:-understudy}
gate=${GATE:-pre-cutover}
if [ $# -eq 0 ]; then
  echo "usage: $0 PAIR [PAIR …]" >&2
  exit 64
fi

worst=0
note() { printf '%s nightly-drift-sync: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

for pair in "$@"; do
  note "pair ${pair}: snapshot of the primary"
  "$understudy" snapshot --pair "$pair"
  rc=$?
  if [ $rc -ne 0 ]; then
    note "pair ${pair}: snapshot failed (exit ${rc}); the gate will judge the last snapshot's age"
    [ $worst -eq 0 ] && worst=$rc
  fi
  if [ "${DRY_RUN:-0}" = "1" ]; then
    note "pair ${pair}: plan only (DRY_RUN=1)"
    "$understudy" sync --pair "$pair"
  else
    note "pair ${pair}: sync --apply"
    "$understudy" sync --pair "$pair" --apply
    rc=$?
    if [ $rc -ne 0 ]; then
      note "pair ${pair}: sync exit ${rc}"
      [ $worst -eq 0 ] && worst=$rc
    fi
  fi
  note "pair ${pair}: gate ${gate}"
  "$understudy" gate "$gate" --pair "$pair"
  rc=$?
  case $rc in
    0) note "pair ${pair}: gate ${gate} passes" ;;
    1) note "pair ${pair}: gate ${gate} FAILS" ;;
    2) note "pair ${pair}: gate ${gate} UNKNOWN (cannot tell)" ;;
    *) note "pair ${pair}: gate ${gate} error (exit ${rc})" ;;
  esac
  [ $rc -ne 0 ] && [ $worst -eq 0 ] && worst=$rc
done
exit $worst
