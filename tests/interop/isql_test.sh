#!/usr/bin/env bash
# unixODBC isql through a DSN defined in a private ODBCSYSINI (no /etc changes).
set -uo pipefail
source "$(dirname "$0")/checks.sh"
command -v isql >/dev/null || { echo "isql not installed (unixodbc)"; exit 77; }
driver=$(find /usr/lib -name libtdsodbc.so 2>/dev/null | head -n1)
[ -n "$driver" ] || { echo "FreeTDS ODBC driver not installed (tdsodbc)"; exit 77; }

export ODBCSYSINI="$WORK/odbc"
mkdir -p "$ODBCSYSINI"
printf '[FreeTDS]\nDescription=FreeTDS\nDriver=%s\n' "$driver" >"$ODBCSYSINI/odbcinst.ini"
# emu: FreeTDS's default encryption = request (login-only encryption here); emu_tls / emu_rogue:
# Servername= names the freetds.conf section that requires encryption and holds the CA.
{
  printf '[emu]\nDriver=FreeTDS\nServer=127.0.0.1\nPort=%s\nTDS_Version=7.4\nClientCharset=UTF-8\n' "$EMU_PORT"
  printf '[emu_tls]\nDriver=FreeTDS\nServername=emu_tls\nClientCharset=UTF-8\n'
  printf '[emu_rogue]\nDriver=FreeTDS\nServername=emu_rogue\nClientCharset=UTF-8\n'
} >"$ODBCSYSINI/odbc.ini"
write_freetds_conf "$WORK/freetds.conf"
export FREETDSCONF="$WORK/freetds.conf"

run_isql() { printf '%s\n' "$@" | isql -v -b emu sa "$EMU_PW" 2>&1; }

out=$(run_isql "SELECT name, sid FROM sys.server_principals WHERE name = 'app_settlement_svc'")
expect_contains "catalog select returns the fixture login" "$out" "app_settlement_svc"
expect_contains "catalog select returns its fixed SID" "$out" "5e117a0e3c2d4b8f9a1b2c3d4e5f6071"

out=$(run_isql "SELECT * FROM sys.nope")
# isql is an ODBC 2 application: the driver manager maps SQLSTATEs to their ODBC 2 forms
# (42S02 → S0002, 42000 → 37000).
expect_contains "error 208 as SQLSTATE S0002 with its text" "$out" "[S0002][FreeTDS][SQL Server]Invalid object name 'sys.nope'."

out=$(run_isql "EXEC sp_executesql N'SELECT name FROM sys.server_principals WHERE sid = @s', N'@s varbinary(85)', @s = 0x1ED6E5A0B1C2D3E4F5061728394A5B6C")
expect_contains "parameterized statement" "$out" "app_ledger_svc"

out=$(printf 'SELECT 1\n' | isql -v -b emu sa wrong 2>&1)
expect_contains "wrong password is refused" "$out" "[37000][unixODBC][FreeTDS][SQL Server]Login failed for user 'sa'."

out=$(printf '%s\n' "SELECT name FROM sys.server_principals WHERE name = 'app_settlement_svc'" | isql -v -b emu_tls sa "$EMU_PW" 2>&1)
expect_contains "encrypted, certificate verified against the test CA" "$out" "app_settlement_svc"
out=$(printf 'SELECT 1\n' | isql -v -b emu_rogue sa "$EMU_PW" 2>&1)
expect_contains "a certificate from another CA is refused" "$out" "Unable to connect to data source"
finish
