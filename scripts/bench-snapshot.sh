#!/usr/bin/env bash
# bench-snapshot.sh — snapshot and drift at scale (a benchmark, not a test; issue 3).
# Builds understudy and understudy-emulator if needed, starts two emulators with generated
# fixtures at the chosen scale (the second with 1% of the objects changed), then measures:
#   1. `understudy snapshot` of it: wall time, peak RSS, round trips (emulator counters);
#   2. the same SELECTs fetched by unixODBC's isql from the same emulator (the baseline; ratio);
#   3. a second, unchanged snapshot: wall time (the nightly case) and store growth after a WAL
#      checkpoint;
#   4. `understudy diff --against snapshot` of the primary against a second emulator holding the
#      same scale with 1% of the objects changed: wall time, peak RSS, findings.
# Scale L: 100,000 logins, 200,000 role memberships, 100,000 server permissions, 10,000 jobs x 5
# steps x 2 schedules, 1,000 linked servers x 3 login mappings, 500 credentials. M = L/10, S = L/100.
# Targets (L): <= 20 round trips; snapshot <= 1.5x isql; growth <= 64 KB; diff < 1 s; RSS < 300 MB.
#   scripts/bench-snapshot.sh [--scale L|M|S] [--build-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/emulator.sh
SCALE=L BUILD=$ROOT/build
while [ $# -gt 0 ]; do
  case $1 in
    --scale) SCALE=$2; shift 2 ;;
    --build-dir) BUILD=$2; shift 2 ;;
    *) echo "usage: $0 [--scale L|M|S] [--build-dir DIR]" >&2; exit 64 ;;
  esac
done
case $SCALE in L) DIV=1 ;; M) DIV=10 ;; S) DIV=100 ;; *) echo "scale must be L, M or S" >&2; exit 64 ;; esac

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD" -j "$(nproc)" --target understudy understudy-emulator >/dev/null

WORK=$(mktemp -d)
PID=
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT

cat >"$WORK/gen.py" <<'PY'
# gen.py DIV CHANGED: the fixture; CHANGED=1 alters 1% of the objects (every 100th login's
# password, permission, role_b membership, job step command and schedule start time).
import hashlib, json, sys
d, changed = int(sys.argv[1]), sys.argv[2] == "1"
alter = lambda i: changed and i % 100 == 0
n_logins, n_jobs, n_ls, n_creds = 100000 // d, 10000 // d, 1000 // d, 500 // d
creds = [{"name": "cred_%04d" % i, "identity": "SHARED ACCESS SIGNATURE", "secret": "s"} for i in range(n_creds)]
logins, perms = [], []
for i in range(n_logins):
    h = hashlib.sha512((b"changed%d" if alter(i) else b"bench%d") % i).hexdigest()
    name = "bench_login_%06d" % i
    logins.append({"name": name, "sid": "0x" + hashlib.md5(b"sid%d" % i).hexdigest(),
                   "password_hash": "0x0200" + h[:8] + h, "check_policy": False})
    perms.append({"grantee": name, "permission": "VIEW ANY DATABASE" if alter(i) else "VIEW SERVER STATE"})
names = [l["name"] for l in logins]
roles = [{"name": "bench_role_a", "members": names},
         {"name": "bench_role_b", "members": [n for i, n in enumerate(names) if not alter(i)]}]
linked = [{"name": "LS_%04d" % i, "product": "SQL Server", "provider": "MSOLEDBSQL", "data_source": "ls%d.example" % i,
           "self_mapping": False,
           "logins": [{"local_login": names[j % len(names)], "remote_user": "r%d" % j} for j in range(3)]}
          for i in range(n_ls)]
schedules, jobs = [], []
for i in range(n_jobs):
    uids = ["%08X-0000-4000-8000-%012X" % (i, k) for k in range(2)]
    for k, u in enumerate(uids):
        schedules.append({"schedule_uid": u, "name": "job %d schedule %d" % (i, k), "freq_type": 4, "freq_interval": 1,
                          "freq_subday_type": 1, "active_start_time": 10000 + k + (1 if alter(i) else 0)})
    steps = [{"step_name": "step %d" % s, "command": "EXEC dbo.job_%d_step_%d%s;" % (i, s, "_v2" if alter(i) else ""),
              "database_name": "master",
              "on_success_action": 3 if s < 5 else 1} for s in range(1, 6)]
    jobs.append({"name": "bench_job_%05d" % i, "steps": steps, "schedules": uids, "servers": ["(local)"]})
json.dump({"version": 1, "description": "bench-snapshot.sh", "credentials": creds, "server_roles": roles,
           "logins": logins, "permissions": perms, "linked_servers": linked, "schedules": schedules, "jobs": jobs},
          sys.stdout)
PY

/usr/bin/python3 "$WORK/gen.py" "$DIV" 0 >"$WORK/fixture.json"
/usr/bin/python3 "$WORK/gen.py" "$DIV" 1 >"$WORK/changed.json"

PW='Bench-Pw1!'
start_emulator() {  # start_emulator NAME FIXTURE -> sets PORT
  local t0
  t0=$(date +%s%N)
  # A large fixture takes a while to load: wait up to two hours.
  start_listener "$WORK/$1.emu" 7200 "bench-snapshot: emulator $1" PIDS "$BUILD/bin/understudy-emulator" \
    --listen 127.0.0.1:0 --sa-password "$PW" --fixture "$2" --stats-file "$WORK/$1.stats.json"
  PORT=$LISTEN_PORT
  echo "scale $SCALE: emulator $1 loaded its fixture in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}
start_emulator primary "$WORK/fixture.json"; PID=${PIDS[0]}; PORT_PRIMARY=$PORT
start_emulator changed "$WORK/changed.json"; PORT_CHANGED=$PORT
PORT=$PORT_PRIMARY
CS="DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=$PORT;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8"
export BENCH_PW=$PW
cat >"$WORK/understudy.toml" <<TOML
store = '$WORK/understudy.db'
[instances.primary]
connection = '$CS'
password_env = 'BENCH_PW'
query_timeout = 0
[instances.copy]
connection = 'DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=$PORT_CHANGED;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8'
password_env = 'BENCH_PW'
query_timeout = 0
[pairs.bench]
primary = 'primary'
secondary = 'copy'
TOML

stats() { kill -USR1 "$PID"; sleep 0.3; /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["batches"] + d["rpcs"], d["rows"])' "$WORK/primary.stats.json"; }
timed() {  # timed NAME CMD… -> prints "NAME wall_s rss_mb"
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || { cat "$WORK/$name.err" >&2; [ "$name" = diff ] || exit 1; }
  read -r wall rss_kb < <(tail -n1 "$WORK/time")  # after "Command exited with non-zero status" (diff: 1)
  echo "$wall $(( rss_kb / 1024 ))"
}
store_bytes() {
  /usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$WORK/understudy.db"
  stat -c %s "$WORK/understudy.db"
}

read -r trips0 rows0 < <(stats)
read -r snap_wall snap_rss < <(timed snapshot "$BUILD/bin/understudy" snapshot --instance primary --config "$WORK/understudy.toml" --log-level warn)
read -r trips1 rows1 < <(stats)
size1=$(store_bytes)
echo "snapshot: $(cat "$WORK/snapshot.out")"
echo "snapshot: ${snap_wall} s, peak RSS ${snap_rss} MB, $((trips1 - trips0)) round trips, $((rows1 - rows0)) rows"

# The baseline: isql fetching the same SELECTs (one per line) from the same emulator.
/usr/bin/python3 - "$ROOT/service/catalog/queries.h" >"$WORK/queries.sql" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
batch = text.split('R"sql(', 1)[1].split(')sql"', 1)[0]
for stmt in batch.split(";"):
    stmt = " ".join(stmt.split())
    if stmt.upper().startswith("SELECT"):
        print(stmt)
PY
t0=$(date +%s%N)
isql -k "$CS;PWD=$PW" -b -e -d'|' <"$WORK/queries.sql" >"$WORK/isql.out" 2>&1
isql_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "isql baseline: $(awk "BEGIN{print $isql_ms/1000}") s for $(wc -l <"$WORK/isql.out") lines"

read -r snap2_wall snap2_rss < <(timed snapshot2 "$BUILD/bin/understudy" snapshot --instance primary --config "$WORK/understudy.toml" --log-level warn)
size2=$(store_bytes)
echo "unchanged second snapshot: ${snap2_wall} s, peak RSS ${snap2_rss} MB"
echo "store: ${size1} bytes after the first snapshot; an unchanged second snapshot grew it by $((size2 - size1)) bytes"

read -r _ _ < <(timed snapshot3 "$BUILD/bin/understudy" snapshot --instance copy --config "$WORK/understudy.toml" --log-level warn)
read -r diff_wall diff_rss < <(timed diff "$BUILD/bin/understudy" diff --pair bench --against snapshot --format csv --config "$WORK/understudy.toml" --log-level warn)
echo "diff --against snapshot (primary vs. a copy with 1% changed): ${diff_wall} s, peak RSS ${diff_rss} MB, $(($(wc -l <"$WORK/diff.out") - 1)) findings"


for p in "${PIDS[@]}"; do kill -TERM "$p"; wait "$p" || true; done; PIDS=()
echo "ratio first snapshot / isql: $(awk "BEGIN{printf \"%.2f\", $snap_wall/($isql_ms/1000)}")"
echo "ratio unchanged snapshot / isql: $(awk "BEGIN{printf \"%.2f\", $snap2_wall/($isql_ms/1000)}")"
