#!/usr/bin/env bash
# bench-gates.sh — how the gate service holds up under runbook and monitor polling (a benchmark,
# not a test; issue 5). Builds `understudy` and `understudy-emulator` (Release) if needed, starts
# emulated instances and `understudy serve` on loopback, and measures with wrk, in one run:
#   A. payments-size pairs, CONNS connections for DURATION s on /v1/gates/pre-cutover:
#      `ready` (the target is a copy of the primary) and `payments` (empty target) — every answer
#      under load must equal the gate's real answer asked once before (non-2xx only where the gate
#      really fails), zero socket errors, answers per second (target >= 1,000);
#   B. a large pair (L_LOGINS logins, each in 2 roles, with a server permission each; primary and
#      target identical, so the gate passes after doing all its work): one gate evaluation against
#      the live read of the target it needs (second `understudy snapshot` of the target, which is
#      read-dominated) — target <= 1.5x; then CONNS pollers for DURATION s: evaluations the target
#      saw (understudy_gate_evaluations_total) against back-to-back evaluations in the same time
#      (coalescing: must not exceed), and p99 latency against 2x one evaluation;
#      `understudy serve`'s resident memory at rest after B (target < 300 MB: the service keeps the
#      large pair's primary snapshot as digests, not decoded objects);
#   C. a soak of SOAK s on the payments gate, after WARMUP s of the same load: resident memory of
#      `understudy serve` before/after (target: within 10%).
# Prints the figures as a Markdown block for docs/benchmarks.md ("Gates").
#   scripts/bench-gates.sh [--duration S] [--connections N] [--l-logins N] [--soak S] [--warmup S]
#                          [--build-dir DIR] [--no-build] [--emulator PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/emulator.sh
DURATION=30 CONNS=64 L_LOGINS=100000 SOAK=600 WARMUP=60 BUILD=$ROOT/build-bench NO_BUILD=0 EMU=
while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --l-logins) L_LOGINS=$2; shift 2 ;;
    --soak) SOAK=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --build-dir) BUILD=$2; shift 2 ;;
    --no-build) NO_BUILD=1; shift ;;
    --emulator) EMU=$2; shift 2 ;;
    *) echo "usage: $0 [--duration S] [--connections N] [--l-logins N] [--soak S] [--warmup S] [--build-dir DIR] [--no-build] [--emulator PATH]" >&2; exit 64 ;;
  esac
done
command -v wrk >/dev/null || { echo "bench-gates: wrk is missing (scripts/install-deps.sh installs it)" >&2; exit 69; }
if [ "$NO_BUILD" = 0 ]; then
  if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$BUILD" -j "$(nproc)" --target understudy understudy-emulator >/dev/null
fi
U=$BUILD/bin/understudy
EMU=${EMU:-$BUILD/bin/understudy-emulator}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)  # other work on the machine skews every figure: say how much
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "not a git checkout")
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
PW='Bench-Gates-Pw1!'
export BENCH_SA_PASSWORD=$PW
TOKEN=bench-runbook-$RANDOM$RANDOM
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start NAME FIXTURE → sets PORT (large fixtures load for a while: up to an hour)
start() {
  start_listener "$WORK/$1" 3600 "bench-gates: emulator $1" PIDS \
    "$EMU" --listen 127.0.0.1:0 --sa-password "$PW" --fixture "$2"
  PORT=$LISTEN_PORT
}
cs() { echo "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=$1;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8"; }

/usr/bin/python3 - "$L_LOGINS" >"$WORK/large.json" <<'PY'
import hashlib, json, sys
n = int(sys.argv[1])
logins, perms = [], []
roles = [{"name": "bench_role_%02d" % r, "owner": "sa", "members": []} for r in range(20)]
for i in range(n):
    h = hashlib.sha512(b"gate%d" % i).hexdigest()
    name = "bench_login_%06d" % i
    logins.append({"name": name, "type": "S", "sid": "0x" + hashlib.md5(b"sid%d" % i).hexdigest(),
                   "password_hash": "0x0200" + h[:8] + h})
    roles[i % 20]["members"].append(name)
    roles[(i + 7) % 20]["members"].append(name)
    perms.append({"grantee": name, "permission": "VIEW SERVER STATE", "state": "GRANT"})
json.dump({"version": 1, "description": "bench-gates.sh scale pair", "server_roles": roles, "logins": logins,
           "permissions": perms}, sys.stdout)
PY

echo "bench-gates: starting emulators (large fixture: $L_LOGINS logins)"
start p1 "$ROOT/tests/fixtures/payments-primary.json"; P1=$PORT
start s1 "$ROOT/tests/fixtures/empty-secondary.json"; S1=$PORT
start s2 "$ROOT/tests/fixtures/payments-primary.json"; S2=$PORT
start lp "$WORK/large.json"; LP=$PORT
start ls "$WORK/large.json"; LS=$PORT

SERVE_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
cat >"$WORK/understudy.toml" <<TOML
store = "$WORK/understudy.db"
[instances.p1]
connection = "$(cs "$P1")"
password_env = "BENCH_SA_PASSWORD"
[instances.s1]
connection = "$(cs "$S1")"
password_env = "BENCH_SA_PASSWORD"
[instances.s2]
connection = "$(cs "$S2")"
password_env = "BENCH_SA_PASSWORD"
[instances.lp]
connection = "$(cs "$LP")"
password_env = "BENCH_SA_PASSWORD"
query_timeout = "0"
[instances.ls]
connection = "$(cs "$LS")"
password_env = "BENCH_SA_PASSWORD"
query_timeout = "0"
[pairs.payments]
primary = "p1"
secondary = "s1"
[pairs.ready]
primary = "p1"
secondary = "s2"
[pairs.large]
primary = "lp"
secondary = "ls"
[service]
listen = "127.0.0.1:$SERVE_PORT"
snapshot_interval = "0"
[[service.tokens]]
name = "bench"
role = "runbook"
sha256 = "$HASH"
TOML
CFG=(--config "$WORK/understudy.toml" --log-level warn)
"$U" snapshot --pair payments "${CFG[@]}" >/dev/null
t0=$(now_ms); "$U" snapshot --pair large "${CFG[@]}" >/dev/null; lp_ms=$(( $(now_ms) - t0 ))

start_listener "$WORK/serve" 30 "bench-gates: understudy serve" PIDS "$U" serve "${CFG[@]}"
SERVE_PID=$LISTEN_PID
BASE=http://127.0.0.1:$SERVE_PORT
AUTH="Authorization: Bearer $TOKEN"

cat >"$WORK/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) codes = {} end
function response(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
function done(summary, latency, requests)
  local agg = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("codes")) do agg[k] = (agg[k] or 0) + v end
  end
  for k, v in pairs(agg) do io.write(string.format("status %d %d\n", k, v)) end
  local e = summary.errors
  io.write(string.format("socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("rps %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("p50_ms %.1f\np99_ms %.1f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
load() {  # PATH → wrk summary lines
  wrk -t4 -c"$CONNS" -d"${2:-$DURATION}"s --timeout 60s -H "$AUTH" -s "$WORK/count.lua" "$BASE$1" | sed -n '/^status\|^socket_errors\|^requests\|^rps\|^p50_ms\|^p99_ms/p'
}
val() { echo "$1" | awk -v k="$2" '$1==k {print $2}'; }
status_count() { echo "$1" | awk -v c="$2" '$1=="status" && $2==c {n=$3} END {print n+0}'; }
evaluations() { curl -s "$BASE/metrics" | awk -v g="$1" '$1=="understudy_gate_evaluations_total{gate=\""g"\"}" {print $2}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVE_PID/status"; }
once_ms() {  # PATH → wall ms of one answer
  local t; t=$(now_ms); curl -s -o /dev/null -H "$AUTH" "$BASE$1"; echo $(( $(now_ms) - t ))
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

echo "bench-gates: A. payments-size pairs, $CONNS connections, ${DURATION}s each"
rss_idle=$(rss_kb)
# The gate's real answer for each pair, asked once before the load: every answer under load must be the same.
REF_READY=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$BASE/v1/gates/pre-cutover?pair=ready")
REF_PAY=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$BASE/v1/gates/pre-cutover?pair=payments")
ready=$(load "/v1/gates/pre-cutover?pair=ready")
failing=$(load "/v1/gates/pre-cutover?pair=payments")
echo "$ready" | sed 's/^/  ready: /'; echo "$failing" | sed 's/^/  payments: /'

rss_a=$(rss_kb)
echo "bench-gates: B. large pair ($L_LOGINS logins)"
read_ms=()
for _ in 1 2 3; do t0=$(now_ms); "$U" snapshot --instance ls "${CFG[@]}" >/dev/null; read_ms+=($(( $(now_ms) - t0 ))); done
gate_ms=()
for _ in 1 2 3; do gate_ms+=("$(once_ms "/v1/gates/logins?pair=large")"); done
READ=$(median3 "${read_ms[@]}") GATE=$(median3 "${gate_ms[@]}")
ev0=$(evaluations logins)
large=$(load "/v1/gates/logins?pair=large")
ev1=$(evaluations logins)
# wrk stops with an evaluation still in flight; wait for it (this request joins it) so that the soak
# starts from a server at rest, not from one holding a large evaluation's inputs.
curl -s -o /dev/null -H "$AUTH" "$BASE/v1/gates/logins?pair=large"
EVALS=$(/usr/bin/python3 -c "print(int(float('$ev1') - float('$ev0')))")
BACK2BACK=$(( DURATION * 1000 / GATE + 1 ))
echo "$large" | sed 's/^/  large: /'

echo "bench-gates: C. soak ${SOAK}s on /v1/gates/pre-cutover?pair=payments (after a ${WARMUP}s warm-up)"
# The soak looks for growth under steady load, so it starts from a server warmed up on that load:
# after the large pair the service gives its free memory back (app.cc), and the first minute of
# polling refills the allocator's per-thread arenas (a plateau, not growth). Both points are shown.
rss_rest=$(rss_kb)
load "/v1/gates/pre-cutover?pair=payments" "$WARMUP" >/dev/null
rss0=$(rss_kb)
soak=$(load "/v1/gates/pre-cutover?pair=payments" "$SOAK")
rss1=$(rss_kb)

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ratio() { /usr/bin/python3 -c "print(f'{$1/$2:.2f}')"; }
cat <<MD

### Gates — $(date -u +%Y-%m-%d) ($(nproc) CPUs, $(uname -r), $(awk -F= '/^CMAKE_BUILD_TYPE:/ {print $2}' "$BUILD/CMakeCache.txt") build)
Command: \`scripts/bench-gates.sh --duration $DURATION --connections $CONNS --l-logins $L_LOGINS --soak $SOAK --warmup $WARMUP\` (tree $REV)
Machine load (1/5/15-min load average): $LOAD_START at the start, $LOAD_END at the end.

| measure | figure | target |
|---|---|---|
| pre-cutover, pair \`ready\` (target = copy of the primary; real answer $REF_READY): answers/s | $(val "$ready" rps) | ≥ 1,000 |
| — answers equal to the real one / other / socket errors | $(status_count "$ready" "$REF_READY") / $(( $(val "$ready" requests) - $(status_count "$ready" "$REF_READY") )) / $(val "$ready" socket_errors) | all, 0, 0 |
| pre-cutover, pair \`payments\` (empty target; real answer $REF_PAY): answers/s | $(val "$failing" rps) | ≥ 1,000 |
| — answers equal to the real one / other / socket errors | $(status_count "$failing" "$REF_PAY") / $(( $(val "$failing" requests) - $(status_count "$failing" "$REF_PAY") )) / $(val "$failing" socket_errors) | all, 0, 0 |
| large pair: live read of the target (snapshot, median of 3) | ${READ} ms | — |
| large pair: one gate evaluation (median of 3) | ${GATE} ms ($(ratio "$GATE" "$READ")×) | ≤ 1.5× |
| large pair, $CONNS pollers ${DURATION}s: evaluations run / back-to-back possible | $EVALS / $BACK2BACK | ≤ |
| large pair: p99 latency / one evaluation | $(val "$large" p99_ms) ms / ${GATE} ms ($(ratio "$(val "$large" p99_ms)" "$GATE")×) | < 2× |
| RSS of \`serve\`: idle → after A → after B (at rest) | $(( rss_idle / 1024 )) MB → $(( rss_a / 1024 )) MB → $(( rss_rest / 1024 )) MB | after B < 300 MB |
| soak: RSS at rest after B → after the ${WARMUP}s warm-up | $(( rss_rest / 1024 )) MB → $(( rss0 / 1024 )) MB ($(ratio "$rss0" "$rss_rest")×) | — |
| soak ${SOAK}s: RSS before → after | $(( rss0 / 1024 )) MB → $(( rss1 / 1024 )) MB ($(ratio "$rss1" "$rss0")×) | within 10% |
| soak: answers/s, socket errors | $(val "$soak" rps), $(val "$soak" socket_errors) | 0 errors |
MD
echo "(large primary snapshot took ${lp_ms} ms)"
