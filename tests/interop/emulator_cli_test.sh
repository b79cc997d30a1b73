#!/usr/bin/env bash
# The understudy-emulator command line: usage errors exit 64, the first stdout line names the
# port, SIGUSR1 writes the stats file, SIGINT/SIGTERM exit 0, fault flags reach the wire.
set -uo pipefail
emulator=$1
source "$(dirname "$0")/checks.sh"
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

usage_case() {  # usage_case WHAT EXPECTED_STDERR ARGS...
  local what=$1 want=$2; shift 2
  local err rc
  err=$("$emulator" "$@" 2>&1 >/dev/null); rc=$?
  expect_contains "$what exits 64" "rc=$rc" "rc=64"
  expect_contains "$what says why" "$err" "$want"
}
usage_case "no arguments" "understudy-emulator: --listen is required"
usage_case "unknown flag" "understudy-emulator: unknown option --bogus" --listen 127.0.0.1:0 --sa-password x --bogus
usage_case "bad edition" "understudy-emulator: --engine-edition must be 2, 3 or 8" --listen 127.0.0.1:0 --sa-password x --engine-edition 5
usage_case "bad port" "understudy-emulator: invalid value for --listen: 99999" --listen 127.0.0.1:99999 --sa-password x
usage_case "cert without key" "understudy-emulator: --tls-cert and --tls-key go together" --listen 127.0.0.1:0 --sa-password x --tls-cert c.pem
usage_case "require without cert" "understudy-emulator: --require-encryption needs --tls-cert and --tls-key" --listen 127.0.0.1:0 --sa-password x --require-encryption
usage_case "fail pattern alone" "understudy-emulator: --fail-pattern and --fail-error go together" --listen 127.0.0.1:0 --sa-password x --fail-pattern foo

start() {
  "$emulator" --listen 127.0.0.1:0 --sa-password 'Cli-Pw1!' --stats-file "$WORK/stats.json" "$@" >"$WORK/out" 2>"$WORK/err" &
  PID=$!
  line=
  for _ in $(seq 1 200); do
    line=$(head -n1 "$WORK/out" 2>/dev/null || true)
    [[ $line == "listening on "* ]] && break
    sleep 0.05
  done
  PORT=${line##*:}
}

start --refuse-logins
expect_contains "first line names the port" "$line" "listening on 127.0.0.1:"
out=$(printf 'SELECT 1\ngo\n' | tsql -H 127.0.0.1 -p "$PORT" -U sa -P 'Cli-Pw1!' -o q 2>&1)
expect_contains "--refuse-logins refuses with 18456" "$out" "Login failed for user 'sa'."
kill -USR1 "$PID"
for _ in $(seq 1 100); do [ -s "$WORK/stats.json" ] && break; sleep 0.05; done
expect_contains "SIGUSR1 writes the stats" "$(cat "$WORK/stats.json" 2>/dev/null)" '"connections":1'
kill -INT "$PID"; wait "$PID"; rc=$?; PID=
expect_contains "SIGINT exits 0" "rc=$rc" "rc=0"

start --fail-pattern 'sys\.databases' --fail-error '50001:injected by the test'
out=$(printf 'SELECT name FROM sys.databases\ngo\nSELECT 1 AS again\ngo\n' | tsql -H 127.0.0.1 -p "$PORT" -U sa -P 'Cli-Pw1!' -o q 2>&1)
expect_contains "--fail-pattern fails the matching statement" "$out" "Msg 50001"
expect_contains "--fail-error carries the message" "$out" "injected by the test"
kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
expect_contains "SIGTERM exits 0" "rc=$rc" "rc=0"

# --tls-cert/--tls-key/--require-encryption: an unreadable certificate exits 66 naming the file;
# with encryption required, FreeTDS with encryption = off (PRELOGIN ENCRYPT_NOT_SUP) is closed
# and FreeTDS with encryption = require and the CA gets in.
bash "$(dirname "$0")/../emulator/tds/make-test-pki.sh" "$WORK/pki"
err=$("$emulator" --listen 127.0.0.1:0 --sa-password x --tls-cert "$WORK/nope.pem" --tls-key "$WORK/pki/server.key" 2>&1 >/dev/null); rc=$?
expect_contains "unloadable certificate exits 66" "rc=$rc" "rc=66"
expect_contains "unloadable certificate is named" "$err" "cannot load the TLS certificate $WORK/nope.pem"
start --tls-cert "$WORK/pki/server.pem" --tls-key "$WORK/pki/server.key" --require-encryption
printf '[plain]\n\thost = 127.0.0.1\n\tport = %s\n\ttds version = 7.4\n\tencryption = off\n[verified]\n\thost = 127.0.0.1\n\tport = %s\n\ttds version = 7.4\n\tencryption = require\n\tca file = %s\n' \
  "$PORT" "$PORT" "$WORK/pki/ca.pem" >"$WORK/freetds.conf"
out=$(printf 'SELECT 1\ngo\n' | FREETDSCONF="$WORK/freetds.conf" tsql -S plain -U sa -P 'Cli-Pw1!' -o q 2>&1)
expect_contains "--require-encryption closes an unencrypted client" "$out" "Adaptive Server connection failed"
out=$(printf 'SELECT 42 AS answer\ngo\n' | FREETDSCONF="$WORK/freetds.conf" tsql -S verified -U sa -P 'Cli-Pw1!' -o q 2>&1)
expect_contains "an encrypted, verified client gets in" "$out" "42"
expect_contains "the refusal is logged" "$(cat "$WORK/err")" "the client does not support encryption, which is required"
kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
expect_contains "stats count the encrypted login" "$(cat "$WORK/stats.json")" '"logins_tls":1'
finish
