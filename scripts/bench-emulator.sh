#!/usr/bin/env bash
# bench-emulator.sh — how fast the SQL Server emulator serves real ODBC clients (a benchmark, not a
# test). Builds understudy-emulator and bench-odbc-fetch if needed, starts the emulator with a
# generated fixture of N logins (default 100,000), then through unixODBC + FreeTDS times
#   1. one catalog SELECT of every login (SELECT name, sid FROM sys.server_principals), fetched to the end;
#   2. R trivial round trips (SELECT 1), default 20,000.
# Prints rows/s and round trips/s (best of RUNS runs, default 3) and the emulator's own counters.
# Targets (issue 2): >= 200,000 rows/s and >= 5,000 round trips/s.
#   scripts/bench-emulator.sh [--logins N] [--round-trips R] [--runs K] [--build-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/emulator.sh
LOGINS=100000 TRIPS=20000 RUNS=3 BUILD=$ROOT/build
while [ $# -gt 0 ]; do
  case $1 in
    --logins) LOGINS=$2; shift 2 ;;
    --round-trips) TRIPS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --build-dir) BUILD=$2; shift 2 ;;
    *) echo "usage: $0 [--logins N] [--round-trips R] [--runs K] [--build-dir DIR]" >&2; exit 64 ;;
  esac
done

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD" -j "$(nproc)" --target understudy-emulator bench-odbc-fetch >/dev/null

WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

# Fixture format v1 (tests/emulator/README.md): SQL logins with fixed SIDs and 0x0200 hashes.
/usr/bin/python3 - "$LOGINS" >"$WORK/fixture.json" <<'PY'
import hashlib, json, sys
n = int(sys.argv[1])
logins = []
for i in range(n):
    h = hashlib.sha512(b"bench%d" % i).hexdigest()
    logins.append({"name": "bench_login_%06d" % i, "sid": "0x" + hashlib.md5(b"sid%d" % i).hexdigest(),
                   "password_hash": "0x0200" + h[:8] + h})
json.dump({"version": 1, "description": "bench-emulator.sh", "logins": logins}, sys.stdout)
PY

PW='Bench-Pw1!'
t0=$(date +%s%N)
# Loading a large fixture takes a while: wait up to an hour.
start_listener "$WORK/emu" 3600 "bench-emulator: the emulator" PID "$BUILD/bin/understudy-emulator" \
  --listen 127.0.0.1:0 --sa-password "$PW" --fixture "$WORK/fixture.json" --stats-file "$WORK/stats.json"
PORT=$LISTEN_PORT
load_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
CS="DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=$PORT;UID=sa;PWD={$PW};TDS_Version=7.4;ClientCharset=UTF-8"

best_rows=0 best_trips=0 rows=0
for run in $(seq 1 "$RUNS"); do
  json=$("$BUILD/bin/bench-odbc-fetch" "$CS" "SELECT name, sid FROM sys.server_principals" "$TRIPS")
  echo "run $run: $json"
  r=$(echo "$json" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(int(d["rows_per_second"]), int(d["round_trips_per_second"]), d["rows"])')
  read -r rps tps rows <<<"$r"
  [ "$rps" -gt "$best_rows" ] && best_rows=$rps
  [ "$tps" -gt "$best_trips" ] && best_trips=$tps
done
kill -TERM "$PID"; wait "$PID" || true; PID=

echo "emulator start with $LOGINS logins: ${load_ms} ms"
echo "catalog SELECT: $rows rows, best ${best_rows} rows/s (target >= 200000)"
echo "round trips: best ${best_trips}/s (target >= 5000)"
echo "emulator counters: $(cat "$WORK/stats.json")"
status=0
[ "$best_rows" -ge 200000 ] || { echo "below the rows/s target" >&2; status=1; }
[ "$best_trips" -ge 5000 ] || { echo "below the round-trips/s target" >&2; status=1; }
exit $status
