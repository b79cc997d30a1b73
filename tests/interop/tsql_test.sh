#!/usr/bin/env bash
# FreeTDS tsql against the emulator: login, catalog SELECT, error with its number, sp_executesql —
# with FreeTDS's default `encryption = request`, which the emulator (certificate, encryption not
# required) answers with login-only encryption — then fully encrypted with the certificate verified.
set -uo pipefail
source "$(dirname "$0")/checks.sh"
command -v tsql >/dev/null || { echo "tsql not installed (freetds-bin)"; exit 77; }

run_tsql() {
  # tsql reads batches from stdin, "go" ends each one.
  printf '%s\ngo\n' "$@" | tsql -H 127.0.0.1 -p "$EMU_PORT" -U sa -P "$EMU_PW" -o q 2>&1
}

out=$(run_tsql "SELECT name, sid FROM sys.server_principals WHERE name = 'app_settlement_svc'")
expect_contains "catalog select returns the fixture login" "$out" "app_settlement_svc"
expect_contains "catalog select returns its fixed SID" "$out" "5e117a0e3c2d4b8f9a1b2c3d4e5f6071"

out=$(run_tsql "SELECT * FROM sys.nope")
expect_contains "error 208 with its number" "$out" "Msg 208 (severity 16, state 1)"
expect_contains "error 208 with its text" "$out" "Invalid object name 'sys.nope'."

out=$(run_tsql "EXEC sp_executesql N'SELECT name FROM sys.server_principals WHERE sid = @s', N'@s varbinary(85)', @s = 0x1ED6E5A0B1C2D3E4F5061728394A5B6C")
expect_contains "parameterized statement" "$out" "app_ledger_svc"

out=$(printf 'SELECT 1\ngo\n' | tsql -H 127.0.0.1 -p "$EMU_PORT" -U sa -P wrong -o q 2>&1)
expect_contains "wrong password is refused with 18456" "$out" "Login failed for user 'sa'."

write_freetds_conf "$WORK/freetds.conf"
tls_tsql() { printf '%s\ngo\n' "$2" | FREETDSCONF="$WORK/freetds.conf" tsql -S "$1" -U sa -P "$EMU_PW" -o q 2>&1; }
out=$(tls_tsql emu_tls "SELECT name FROM sys.server_principals WHERE name = 'app_settlement_svc'")
expect_contains "encrypted, certificate verified against the test CA" "$out" "app_settlement_svc"
out=$(tls_tsql emu_rogue "SELECT 1")
expect_contains "a certificate from another CA is refused" "$out" "Adaptive Server connection failed"
finish
