#!/usr/bin/env bash
# bench-wan.sh — replay and gates across regions (a benchmark, not a test; issue 14 §1). The
# emulator's --reply-delay-ms D delays every reply by D ms (a cross-region round trip); each
# measure runs side by side in one run against emulators without the delay and with it:
#   A. `understudy sync --pair P --apply --live-source` of the generated primary (L SQL logins in
#      10 roles, J jobs x 5 steps x 2 schedules: scripts/lib/sync_fixture.py) onto an empty
#      secondary, at 0 ms and at D ms (primary and secondary both delayed). Target: A(D) <= 1.5 x A(0).
#   B. the payments sync (tests/fixtures/payments-primary.json onto an empty secondary) at D ms:
#      round trips to the target counted by the emulator (SQL batches + RPCs, from its stats file
#      before and after). Target: <= 10.
#   C. `understudy gate pre-cutover --pair …` of the payments pair at 0 ms and at D ms (median of
#      three answers each; a primary snapshot taken first): the delay's cost is C(D) - C(0).
#      Target: <= 4 round trips' worth, 4 x D ms.
# Defaults are the issue's scale; a quick run: --logins 2000 --jobs 200.
#   scripts/bench-wan.sh [--logins L] [--jobs J] [--delay-ms D] [--build-dir DIR] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=scripts/lib/emulator.sh
source scripts/lib/emulator.sh
LOGINS=10000 JOBS=1000 DELAY=30 BUILD=$ROOT/build ROUNDS=1
while [ $# -gt 0 ]; do
  case $1 in
    --logins) LOGINS=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --delay-ms) DELAY=$2; shift 2 ;;
    --build-dir) BUILD=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) echo "usage: $0 [--logins L] [--jobs J] [--delay-ms D] [--build-dir DIR] [--rounds N]" >&2; exit 64 ;;
  esac
done
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD" -j 2 --target understudy-emulator understudy >/dev/null

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

/usr/bin/python3 scripts/lib/sync_fixture.py "$LOGINS" "$JOBS" "$WORK"
PW='Bench-Pw1!'
export BENCH_PW=$PW
start() {  # name fixture delay → PORT, and $WORK/name.pid for its stats (SIGUSR1)
  start_listener "$WORK/$1" 3600 "bench-wan: emulator $1" "$WORK/$1.pid" "$BUILD/bin/understudy-emulator" \
    --listen 127.0.0.1:0 --sa-password "$PW" --fixture "$2" --reply-delay-ms "$3" --stats-file "$WORK/$1.stats.json"
  PIDS+=("$LISTEN_PID")
  PORT=$LISTEN_PORT
}
cs() { echo "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=$1;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8"; }
instance() { printf "[instances.%s]\nconnection = '%s'\npassword_env = 'BENCH_PW'\nquery_timeout = '0'\n" "$1" "$(cs "$2")"; }
pair() { printf "[pairs.%s]\nprimary = '%s'\nsecondary = '%s'\n" "$1" "$2" "$3"; }
U() { "$BUILD/bin/understudy" --config "$WORK/understudy.toml" --log-level warn "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
round_trips() {  # name → SQL batches + RPCs the emulator has served so far
  local f="$WORK/$1.stats.json"
  rm -f "$f"
  kill -USR1 "$(cat "$WORK/$1.pid")"
  for _ in $(seq 1 100); do [ -s "$f" ] && break; sleep 0.1; done
  /usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["batches"] + s["rpcs"])' "$f"
}

echo "bench-wan: starting emulators ($LOGINS logins, $JOBS jobs; delay $DELAY ms)"
start gp0 "$WORK/primary.json" 0; GP0=$PORT
start gpd "$WORK/primary.json" "$DELAY"; GPD=$PORT
start pp0 "$ROOT/tests/fixtures/payments-primary.json" 0; PP0=$PORT
start ppd "$ROOT/tests/fixtures/payments-primary.json" "$DELAY"; PPD=$PORT
start ps0 "$ROOT/tests/fixtures/payments-primary.json" 0; PS0=$PORT
start psd "$ROOT/tests/fixtures/payments-primary.json" "$DELAY"; PSD=$PORT
start pe "$ROOT/tests/fixtures/empty-secondary.json" "$DELAY"; PE=$PORT

config() {  # round gs0 gsd: fresh secondaries (and store) per round
  {
    echo "store = '$WORK/understudy-$1.db'"
    instance gp0 "$GP0"; instance gpd "$GPD"; instance gs0 "$2"; instance gsd "$3"
    instance pp0 "$PP0"; instance ppd "$PPD"; instance ps0 "$PS0"; instance psd "$PSD"; instance pe "$PE"
    pair lan gp0 gs0; pair wan gpd gsd; pair pay_lan pp0 ps0; pair pay_wan ppd psd; pair pay_apply ppd pe
    printf "[secrets.credentials]\npayments_backup_url = { env = 'BENCH_SECRET' }\n"
    printf "[secrets.linked_server_logins]\n'LEDGER_ARCHIVE|app_ledger_svc' = { env = 'BENCH_SECRET' }\n"
  } >"$WORK/understudy.toml"
}
export BENCH_SECRET='bench-secret-value'
sync_ms() {  # pair → wall ms of sync --apply (must converge)
  local t rc
  t=$(now_ms)
  set +e
  U sync --pair "$1" --apply --live-source >"$WORK/sync-$1.out"
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || { echo "bench-wan: sync of $1 exited $rc" >&2; tail -20 "$WORK/sync-$1.out" >&2; exit 1; }
  echo $(( $(now_ms) - t ))
}
gate_ms() {  # pair → wall ms of one pre-cutover answer (whatever it says)
  local t
  t=$(now_ms)
  U gate pre-cutover --pair "$1" >/dev/null || true
  echo $(( $(now_ms) - t ))
}
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

A0=() AD=() R=()
for round in $(seq 1 "$ROUNDS"); do
  start "gs0-$round" "$WORK/empty.json" 0; S0=$PORT
  start "gsd-$round" "$WORK/empty.json" "$DELAY"; SD=$PORT
  config "$round" "$S0" "$SD"
  if [ $((round % 2)) -eq 1 ]; then a0=$(sync_ms lan); ad=$(sync_ms wan); else ad=$(sync_ms wan); a0=$(sync_ms lan); fi
  ratio=$(/usr/bin/python3 -c "print(round($ad / max($a0, 1), 2))")
  echo "round $round: A sync at 0 ms ${a0} ms, at $DELAY ms ${ad} ms, ratio $ratio; load $(cut -d' ' -f1-3 /proc/loadavg)"
  A0+=("$a0") AD+=("$ad") R+=("$ratio")
done

before=$(round_trips pe)
B_MS=$(sync_ms pay_apply)
B_RT=$(( $(round_trips pe) - before ))

U snapshot --pair pay_lan >/dev/null
U snapshot --pair pay_wan >/dev/null
g0=() gd=()
for _ in 1 2 3; do g0+=("$(gate_ms pay_lan)"); gd+=("$(gate_ms pay_wan)"); done
G0=$(median "${g0[@]}") GD=$(median "${gd[@]}")

echo
echo "A issue-4 scale sync --apply, median of $ROUNDS: $(median "${A0[@]}") ms at 0 ms, $(median "${AD[@]}") ms at $DELAY ms;" \
     "ratio $(median "${R[@]}") (target <= 1.5)"
echo "B payments sync at $DELAY ms: $B_RT round trips to the target (target <= 10), ${B_MS} ms"
echo "C pre-cutover gate answer, median of 3: ${G0} ms at 0 ms, ${GD} ms at $DELAY ms: +$(( GD - G0 )) ms" \
     "= $(/usr/bin/python3 -c "print(round(($GD - $G0) / $DELAY, 1))") round trips' worth (target <= 4)"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg); tree $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
