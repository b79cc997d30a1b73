#!/usr/bin/env bash
# run-against-emulators.sh EMULATOR SUITE FIXTURES_DIR [gtest args…]
# Runs the real-instance lane (SUITE = real_instance_tests) against two understudy-emulator
# processes — payments-primary.json as the primary, empty-secondary.json as the secondary — with
# UNDERSTUDY_REAL_* pointing at them and writes allowed, so every test body runs. As production
# connects: the emulators hold a certificate from a CA made here and require encryption, and the
# connection strings have FreeTDS verify it (the CA in a freetds.conf section, docs/configuration.md).
# Fails when the suite fails or skips any test (a skip here would mean a body CI never exercises).
set -uo pipefail
emulator=$1 suite=$2 fixtures=$3
shift 3
# shellcheck source=scripts/lib/emulator.sh
source "$(dirname "$0")/../../scripts/lib/emulator.sh"

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A ";" in the password: PWD={…} quoting is part of what the lane proves. (A "}" is not used:
# through FreeTDS the product then fails to log in — reported, see docs/testing.md.)
PW='Real-Lane;Pw1!'

bash "$(dirname "$0")/../emulator/tds/make-test-pki.sh" "$WORK/pki" || { echo "FAIL: make-test-pki.sh" >&2; exit 1; }
printf '[real_lane]\n\thost = 127.0.0.1\n\ttds version = 7.4\n\tencryption = require\n\tca file = %s\n' \
  "$WORK/pki/ca.pem" >"$WORK/freetds.conf"
export FREETDSCONF=$WORK/freetds.conf

# start NAME FIXTURE: starts an emulator on an ephemeral loopback port; sets PORT. The label
# carries the "FAIL: " every failure of this runner starts with.
start() {
  start_listener "$WORK/$1" 30 "FAIL: emulator $1" PIDS "$emulator" --listen 127.0.0.1:0 --sa-password "$PW" \
    --fixture "$2" --server-name "REAL-LANE-${1^^}" \
    --tls-cert "$WORK/pki/server.pem" --tls-key "$WORK/pki/server.key" --require-encryption || exit 1
  PORT=$LISTEN_PORT
}

start primary "$fixtures/payments-primary.json"
primary_port=$PORT
start secondary "$fixtures/empty-secondary.json"
secondary_port=$PORT

cs() { echo "DRIVER={FreeTDS};Servername=real_lane;PORT=$1;UID=sa;ClientCharset=UTF-8"; }
export UNDERSTUDY_REAL_PRIMARY; UNDERSTUDY_REAL_PRIMARY=$(cs "$primary_port")
export UNDERSTUDY_REAL_PRIMARY_PASSWORD=$PW
export UNDERSTUDY_REAL_SECONDARY; UNDERSTUDY_REAL_SECONDARY=$(cs "$secondary_port")
export UNDERSTUDY_REAL_SECONDARY_PASSWORD=$PW
export UNDERSTUDY_REAL_ALLOW_WRITES=1

"$suite" "$@" 2>&1 | tee "$WORK/suite.out"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then echo "FAIL: real_instance_tests exited $rc against the emulators" >&2; exit "$rc"; fi
if grep -q '^\[  SKIPPED \]' "$WORK/suite.out"; then
  echo "FAIL: tests were skipped against the emulators; every body must run here" >&2
  exit 1
fi
if ! grep -q '^\[  PASSED  \] [1-9]' "$WORK/suite.out"; then echo "FAIL: no test ran" >&2; exit 1; fi
exit 0
