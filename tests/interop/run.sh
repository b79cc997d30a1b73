#!/usr/bin/env bash
# run.sh CLIENT EMULATOR FIXTURES_DIR — starts understudy-emulator on an ephemeral loopback port with
# the payments-primary fixture and a server certificate from a CA made here (so each client can
# connect plain, login-only encrypted and fully encrypted with the certificate verified), runs one
# independent client's checks against it (CLIENT_test.*), stops the emulator with SIGTERM and checks
# it exited 0, wrote its stats file and counted at least one fully encrypted login.
# Exit 0 pass, 77 skipped (client not available), anything else failure.
set -uo pipefail
client=$1 emulator=$2 fixtures=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/emulator.sh
source "$here/../../scripts/lib/emulator.sh"

WORK=$(mktemp -d)
EMU_PID=
cleanup() {
  if [ -n "$EMU_PID" ] && kill -0 "$EMU_PID" 2>/dev/null; then kill -KILL "$EMU_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export EMU_PW='Interop-Pw1!;}'
# The clients trust EMU_CA; a certificate signed by EMU_ROGUE_CA instead must be refused.
pki=$here/../emulator/tds/make-test-pki.sh
bash "$pki" "$WORK/pki" && bash "$pki" "$WORK/rogue" || { echo "FAIL: make-test-pki.sh" >&2; exit 1; }
export EMU_CA=$WORK/pki/ca.pem EMU_ROGUE_CA=$WORK/rogue/ca.pem
# The label carries the "FAIL: " every failure of this runner starts with.
start_listener "$WORK/emu" 10 "FAIL: emulator" EMU_PID "$emulator" --listen 127.0.0.1:0 --sa-password "$EMU_PW" \
  --fixture "$fixtures/payments-primary.json" --stats-file "$WORK/stats.json" \
  --tls-cert "$WORK/pki/server.pem" --tls-key "$WORK/pki/server.key" || exit 1
export EMU_PORT=$LISTEN_PORT
export WORK

case $client in
  tsql|isql) bash "$here/${client}_test.sh" ;;
  pytds) /usr/bin/python3 "$here/pytds_test.py" ;;
  tedious) bash "$here/tedious_test.sh" ;;
  go_mssqldb) bash "$here/go_mssqldb_test.sh" ;;
  *) echo "unknown client $client" >&2; exit 2 ;;
esac
rc=$?

kill -TERM "$EMU_PID"
wait "$EMU_PID"
emu_rc=$?
EMU_PID=
if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
  if [ "$emu_rc" -ne 0 ]; then echo "FAIL: emulator exited $emu_rc after SIGTERM" >&2; cat "$WORK/emu.err" >&2; exit 1; fi
  if [ "$rc" -eq 0 ] && ! grep -q '"logins"' "$WORK/stats.json"; then
    echo "FAIL: no stats written to --stats-file on exit" >&2; exit 1
  fi
  echo "emulator stats: $(cat "$WORK/stats.json" 2>/dev/null)"
  if [ "$rc" -eq 0 ] && ! grep -q '"logins_tls":[1-9]' "$WORK/stats.json"; then
    echo "FAIL: the emulator counted no encrypted login: $(cat "$WORK/stats.json")" >&2; exit 1
  fi
fi
exit "$rc"
