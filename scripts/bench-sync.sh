#!/usr/bin/env bash
# bench-sync.sh — replaying a large drift onto an empty emulated secondary (a benchmark, not a
# test; issue 4). Generates a primary fixture of L SQL logins (each a member of one of 10 server
# roles) and J Agent jobs with 5 steps and 2 schedules each, starts the primary and two empty
# secondaries (understudy-emulator), then measures, in the same run:
#   A. `understudy sync --pair bench --apply --live-source` onto secondary 1 (reads the primary,
#      reads the target, plans, applies one batch per object, re-reads and re-diffs);
#   B. `isql -n` running the script `understudy script` wrote for the same plan (its sqlcmd
#      variables substituted with the generated hashes) onto secondary 2;
#   C. a second `sync --apply` of the converged pair (no-op: reads only; the emulator's write
#      counter, read through its stats file before and after, must not move).
# Target: A <= 1.2 x B. Defaults are a reduced scale; the issue's scale is --logins 10000 --jobs 1000.
# --rounds N repeats A, B and C on fresh secondaries (and a fresh store), alternating which of A
# and B goes first, and reports each round and the medians: on a shared machine one round is noise.
#   scripts/bench-sync.sh [--logins L] [--jobs J] [--build-dir DIR] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/emulator.sh
LOGINS=2000 JOBS=200 BUILD=$ROOT/build ROUNDS=1
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --logins) LOGINS=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --build-dir) BUILD=$2; shift 2 ;;
    *) echo "usage: $0 [--logins L] [--jobs J] [--build-dir DIR] [--rounds N]" >&2; exit 64 ;;
  esac
done
command -v isql >/dev/null || { echo "bench-sync: isql (unixodbc) is needed for the baseline" >&2; exit 69; }
driver=$(find /usr/lib -name libtdsodbc.so 2>/dev/null | head -n1)
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD" -j 2 --target understudy-emulator understudy >/dev/null

WORK=$(mktemp -d)
# Emulator pids go to files ($WORK/NAME.pid): emulators are stopped and signalled by name.
stop_emulators() {  # signal [name…]; all when no name
  local sig=$1 f p
  shift
  local names=("$@")
  [ ${#names[@]} -gt 0 ] || names=(primary secondary1 secondary2)
  for n in "${names[@]}"; do f="$WORK/$n.pid"; [ -f "$f" ] && kill "-$sig" "$(cat "$f")" 2>/dev/null; done
  for n in "${names[@]}"; do
    f="$WORK/$n.pid"
    [ -f "$f" ] || continue
    p=$(cat "$f")
    while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
    rm -f "$f"
  done
  return 0
}
trap 'stop_emulators KILL; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

/usr/bin/python3 scripts/lib/sync_fixture.py "$LOGINS" "$JOBS" "$WORK"

PW='Bench-Pw1!'
start_emulator() {  # name fixture → sets PORT (a large fixture loads for a while: up to an hour)
  start_listener "$WORK/$1" 3600 "bench-sync: emulator $1" "$WORK/$1.pid" "$BUILD/bin/understudy-emulator" \
    --listen 127.0.0.1:0 --sa-password "$PW" --fixture "$2" --stats-file "$WORK/$1.stats.json"
  PORT=$LISTEN_PORT
}
start_emulator primary "$WORK/primary.json"; P=$PORT
cs() { echo "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=$1;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8"; }
export BENCH_PW=$PW
write_config() {  # round port1 port2: a fresh store per round, so every round starts alike
  cat >"$WORK/understudy.toml" <<TOML
store = '$WORK/understudy-$1.db'
[instances.primary]
connection = '$(cs "$P")'
password_env = 'BENCH_PW'
[instances.secondary1]
connection = '$(cs "$2")'
password_env = 'BENCH_PW'
[instances.secondary2]
connection = '$(cs "$3")'
password_env = 'BENCH_PW'
[pairs.bench]
primary = 'primary'
secondary = 'secondary1'
[pairs.baseline]
primary = 'primary'
secondary = 'secondary2'
TOML
}
U() { "$BUILD/bin/understudy" --config "$WORK/understudy.toml" --log-level warn "$@"; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
writes_of() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["writes"])' "$1"; }
export ODBCSYSINI="$WORK/odbc"
mkdir -p "$ODBCSYSINI"
printf '[FreeTDS]\nDriver=%s\n' "$driver" >"$ODBCSYSINI/odbcinst.ini"

run_a() {
  local t rc
  t=$(date +%s%N)
  set +e
  U sync --pair bench --apply --live-source >"$WORK/sync.out"
  rc=$?
  set -e
  a_ms=$(ms "$t")
  [ "$rc" -eq 0 ] || { echo "bench-sync: sync exited $rc" >&2; tail -20 "$WORK/sync.out" >&2; exit 1; }
}
run_b() {
  local t
  printf '[baseline]\nDriver=FreeTDS\nServer=127.0.0.1\nPort=%s\nTDS_Version=7.4\nClientCharset=UTF-8\n' "$S2" >"$ODBCSYSINI/odbc.ini"
  t=$(date +%s%N)
  isql -b baseline sa "$PW" <"$WORK/plan.isql" >"$WORK/isql.out" 2>&1 || true
  b_ms=$(ms "$t")
  isql_errors=$(grep '^\[' "$WORK/isql.out" | grep -vc 'ISQL\]INFO' || true)
  [ "$isql_errors" -eq 0 ] || { echo "bench-sync: isql reported $isql_errors errors" >&2; grep '^\[' "$WORK/isql.out" | head >&2; exit 1; }
}
run_c() {  # C must not write: secondary1's write counter before (SIGUSR1 writes the stats file) and after
  local t s1_stats="$WORK/secondary1.stats.json"
  rm -f "$s1_stats"
  kill -USR1 "$(cat "$WORK/secondary1.pid")"
  for _ in $(seq 1 100); do [ -f "$s1_stats" ] && break; sleep 0.1; done
  local before
  before=$(writes_of "$s1_stats")
  t=$(date +%s%N)
  U sync --pair bench --apply --live-source >"$WORK/noop.out" || { echo "bench-sync: no-op sync failed" >&2; exit 1; }
  c_ms=$(ms "$t")
  stop_emulators TERM secondary1 secondary2  # they write their --stats-file on the way out
  c_writes=$(( $(writes_of "$s1_stats") - before ))
}

A=() B=() C=() R=()
for round in $(seq 1 "$ROUNDS"); do
  start_emulator secondary1 "$WORK/empty.json"; S1=$PORT
  start_emulator secondary2 "$WORK/empty.json"; S2=$PORT
  write_config "$round" "$S1" "$S2"
  if [ "$round" -eq 1 ]; then
    # B's script: written from the plan against the (still empty) baseline secondary.
    U script --pair baseline --live-source --output "$WORK/plan.sql"
    /usr/bin/python3 - "$WORK" <<'PY'
import json, re, sys
work = sys.argv[1]
hashes = json.load(open(work + "/hashes.json"))
text = open(work + "/plan.sql").read()
var = dict(re.findall(r"^--   (US_SECRET_\d+)  password_hash:(.+)$", text, re.M))
text = re.sub(r"\$\((US_SECRET_\d+)\)", lambda m: hashes[var[m.group(1)]], text)
# isql runs one line per request: each batch on one line (the generated data has no line breaks).
batches, cur = [], []
for line in text.split("\n"):
    if line == "GO":
        if cur: batches.append(" ".join(cur))
        cur = []
    elif line and not line.startswith("--"):
        cur.append(line)
open(work + "/plan.isql", "w").write("\n".join(batches) + "\n")
PY
    batches=$(wc -l <"$WORK/plan.isql")
    echo "scale: $LOGINS logins in 10 roles, $JOBS jobs x 5 steps x 2 schedules ($batches batches in the script)"
  fi
  # Alternate the order so that a load change on the machine does not always favour one side.
  if [ $((round % 2)) -eq 1 ]; then run_a; run_b; else run_b; run_a; fi
  run_c
  ratio=$(/usr/bin/python3 -c "print(round($a_ms / max($b_ms, 1), 2))")
  echo "round $round: A sync --apply ${a_ms} ms, B isql ${b_ms} ms, A/B $ratio, C no-op sync ${c_ms} ms" \
       "($c_writes state-changing statements, 0 expected), load $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$c_writes" -eq 0 ] || { echo "bench-sync: the no-op sync wrote to the target" >&2; exit 1; }
  A+=("$a_ms") B+=("$b_ms") C+=("$c_ms") R+=("$ratio")
done
stop_emulators TERM
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
echo "A understudy sync --apply (read, plan, apply, re-read), median: $(median "${A[@]}") ms"
echo "B isql running the generated script, median:                  $(median "${B[@]}") ms"
echo "C no-op sync of the converged pair, median:                    $(median "${C[@]}") ms"
echo "ratio A/B, median of $ROUNDS rounds: $(median "${R[@]}") (target <= 1.2)"
