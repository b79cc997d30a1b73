#!/usr/bin/env bash
# A failover drill, end to end, on emulated instances — the runbook (docs/runbook.md runs the same
# steps against real instances):
#   pre-stage the secondary (snapshot the primary, sync) → pre-cutover gate (?state=synchronized)
#   → planned failover → `understudy activate` → post-failover gate (roles swapped) → on the new
#   primary a password rotation, a new login and a changed job step → the nightly drift-sync
#   (scripts/nightly-drift-sync.sh) carries them to the new secondary and changes nothing on the new
#   primary → fail back → activate → post-failover gate (?expect=primary) → the same changes and
#   nightly sync in the home direction.
# With --forced instead: pre-stage → a login made on the primary after its snapshot → the primary
# stopped → forced failover → a sync writes nothing (exit 69: its target is dark) → the gates
# answer from the old primary's last snapshot and say so → activate (exit 4: the secondary is dark)
# → the old primary returns as the secondary → the nightly sync lists its stranded login as
# stranded (exit 4) and leaves it alone, on both instances.
# Every step is asserted (instance state read back with isql), and Agent jobs are enabled only on
# the live primary at every step. The drill stops at the first gate that does not pass, with exit 1
# (the gate failed) or 2 (the gate could not tell), and at the first failed assertion with exit 1
# ("ASSERTION FAILED: …"). Exit 0 when every step held.
#
#   scripts/drill.sh [--bin DIR] [--keep] [--forced] [--mechanism availability_group|failover_group]
#     --bin DIR      where understudy and understudy-emulator-cluster are (default: build/bin)
#     --keep         keep the work directory (config, store, logs)
#     --forced       the forced-failover path
#     --mechanism M  availability_group (SQL Server, default) or failover_group (Managed Instance)
#   DRILL_SKIP_SYNC=1   skip the sync: pre-cutover fails (the drill's own negative test)
#   DRILL_LAG=SECONDS   report this replication lag on payments: with DRILL_MAX_LAG below it,
#   DRILL_MAX_LAG=N     pre-cutover fails on lag_above_bound
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/emulator.sh
BIN=$ROOT/build/bin
KEEP=0
FORCED=0
MECHANISM=availability_group
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --forced) FORCED=1; shift ;;
    --mechanism) MECHANISM=$2; shift 2 ;;
    *) echo "usage: scripts/drill.sh [--bin DIR] [--keep] [--forced] [--mechanism availability_group|failover_group]" >&2; exit 64 ;;
  esac
done
case $MECHANISM in
  availability_group) EDITION=3; FIXTURE=payments-primary.json ;;
  # A managed instance holds no Windows login and no CmdExec job step.
  failover_group) EDITION=8; FIXTURE=payments-mi-primary.json ;;
  *) echo "drill: --mechanism must be availability_group or failover_group" >&2; exit 64 ;;
esac
command -v isql >/dev/null || { echo "drill: isql (unixODBC) not found" >&2; exit 69; }
for b in understudy understudy-emulator-cluster; do
  [ -x "$BIN/$b" ] || { echo "drill: $BIN/$b not found (build it, or pass --bin DIR)" >&2; exit 69; }
done

WORK=$(mktemp -d /tmp/understudy-drill.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

# ---- the emulated cluster: two instances, read-write and read-only listeners, control port ----
step "starting the emulated cluster ($MECHANISM payments-ag between PAYMENTS-EAST and PAYMENTS-WEST)"
export DRILL_SA_PASSWORD="Drill-Passw0rd!"
export DRILL_CREDENTIAL_SECRET="drill-credential-secret"
export DRILL_LINKED_SECRET="drill-linked-secret"
"$BIN/understudy-emulator-cluster" --sa-password "$DRILL_SA_PASSWORD" \
    --fixture-0 "$ROOT/tests/fixtures/$FIXTURE" --fixture-1 "$ROOT/tests/fixtures/empty-secondary.json" \
    --name-0 PAYMENTS-EAST --name-1 PAYMENTS-WEST --engine-edition "$EDITION" --mechanism "$MECHANISM" --group payments-ag \
    >"$WORK/cluster.out" 2>"$WORK/cluster.err" &
PIDS+=($!)
wait_for_line "$WORK/cluster" '^ports ' "${PIDS[-1]}" 15 "drill: the cluster emulator" || exit 69
ports=$FOUND_LINE
echo "$ports"
port_of() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$ports"; }
P0=$(port_of instance0); P1=$(port_of instance1); RW=$(port_of rw); RO=$(port_of ro); CONTROL=$(port_of control)
control() { curl -sS --fail-with-body -d '' "http://127.0.0.1:$CONTROL$1"; }
if [ -n "${DRILL_LAG:-}" ]; then control "/ha?db=payments&state=SYNCHRONIZED&lag=$DRILL_LAG" >/dev/null; fi

cs() { echo "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=$1;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8"; }
# q PORT SQL: the rows of SQL on that instance, columns joined by '|' (isql, unixODBC).
q() {
  local out
  out=$(printf '%s\n' "$2" | isql -k "$(cs "$1");PWD=$DRILL_SA_PASSWORD" -b -d'|' 2>&1) || { echo "drill: isql: $out" >&2; exit 70; }
  if grep -q '^\[ISQL\]ERROR\|^\[[0-9A-Z]*\]\[' <<<"$out"; then echo "drill: isql: $out" >&2; exit 70; fi
  printf '%s' "$out"
}
# check DESCRIPTION ACTUAL EXPECTED: stops the drill unless equal.
check() {
  if [ "$2" != "$3" ]; then
    printf 'ASSERTION FAILED: %s\n  expected: %s\n  actual:   %s\n' "$1" "$3" "$2" >&2
    exit 1
  fi
  echo "ok: $1"
}
JOBS_SQL="SELECT name, enabled FROM msdb.dbo.sysjobs ORDER BY name"
JOBS_ON=$'Ledger close|1\nNightly settlement|1'
JOBS_OFF=$'Ledger close|0\nNightly settlement|0'
# jobs_only_on PRIMARY_PORT SECONDARY_PORT WHEN
jobs_only_on() {
  check "$3: jobs enabled on the primary" "$(q "$1" "$JOBS_SQL")" "$JOBS_ON"
  check "$3: jobs disabled on the secondary" "$(q "$2" "$JOBS_SQL")" "$JOBS_OFF"
}
LOGINS_SQL="SELECT name, CAST(is_disabled AS int), CONVERT(varchar(200), password_hash, 1) FROM sys.sql_logins WHERE name LIKE N'app[_]%' ORDER BY name"
STEP_SQL="SELECT s.command FROM msdb.dbo.sysjobsteps AS s JOIN msdb.dbo.sysjobs AS j ON j.job_id = s.job_id WHERE j.name = N'Ledger close' AND s.step_id = 1"
RUNBOOK_TOKEN="drill-runbook-token"
cat >"$WORK/understudy.toml" <<EOF
store = "$WORK/understudy.db"

[instances.east]
connection = "$(cs "$P0")"
password_env = "DRILL_SA_PASSWORD"
login_timeout = "5s"

[instances.west]
connection = "$(cs "$P1")"
password_env = "DRILL_SA_PASSWORD"
login_timeout = "5s"

# The home direction; the live roles are read from the instances on every run.
[pairs.payments]
primary = "east"
secondary = "west"
# The failover group / link listeners: they follow the roles, the instances' own names do not.
read_write_listener = "$(cs "$RW")"
read_only_listener = "$(cs "$RO")"

[service]
listen = "127.0.0.1:0"
snapshot_interval = "0"

[[service.tokens]]
name = "drill-runbook"
role = "runbook"
sha256 = "$(printf %s "$RUNBOOK_TOKEN" | sha256sum | cut -d' ' -f1)"

[secrets.credentials]
payments_backup_url = { env = "DRILL_CREDENTIAL_SECRET" }

[secrets.linked_server_logins]
"LEDGER_ARCHIVE|app_ledger_svc" = { env = "DRILL_LINKED_SECRET" }
EOF
export UNDERSTUDY_CONFIG=$WORK/understudy.toml

# ---- runbook step 1: pre-stage the secondary ----
step "pre-stage: snapshot the primary's server-level state"
rc=0; "$BIN/understudy" snapshot --pair payments 2>>"$WORK/understudy.err" || rc=$?
check "snapshot exit" "$rc" 0
if [ "${DRILL_SKIP_SYNC:-0}" = 1 ]; then
  step "pre-stage: sync SKIPPED (DRILL_SKIP_SYNC=1) — the pre-cutover gate must stop the drill"
else
  step "pre-stage: sync logins (same SIDs), roles, credentials, linked servers, Agent jobs to the secondary"
  rc=0; "$BIN/understudy" sync --pair payments --apply >"$WORK/sync.out" 2>>"$WORK/understudy.err" || rc=$?
  tail -n 3 "$WORK/sync.out"
  check "pre-stage sync exit (converged)" "$rc" 0
  check "the secondary has the primary's logins and password hashes" "$(q "$P1" "$LOGINS_SQL")" "$(q "$P0" "$LOGINS_SQL")"
  jobs_only_on "$P0" "$P1" "after pre-staging"
fi

# ---- the gate service ----
start_listener "$WORK/serve" 15 "drill: understudy serve" PIDS "$BIN/understudy" serve || exit 69
BASE="http://$LISTEN_ADDR"
echo "gate service: $BASE"

# GET a gate the way a runbook does (curl --fail: any non-2xx stops the runbook); print the answer.
gate() {
  local path=$1 body code
  echo "\$ curl --fail $BASE$path"
  body=$(curl -sS -w '\n%{http_code}' -H "Authorization: Bearer $RUNBOOK_TOKEN" "$BASE$path")
  code=${body##*$'\n'}; body=${body%$'\n'*}
  printf '%s' "$body" >"$WORK/gate.json"
  jq -r '"HTTP '"$code"' — \(.gate): \(.status) — \(.reason)",
         (.checks[] | "  \(.type): \(.status) — \(.reason)"),
         (.failures[] | "  FAILURE \(.kind) \(.key) \(.problem)")' <<<"$body"
  if [ "$code" != 200 ]; then
    local status; status=$(jq -r .status <<<"$body")
    echo "drill stopped: the gate did not pass ($status)" >&2
    [ "$status" = unknown ] && exit 2
    exit 1
  fi
}

MAX_LAG=${DRILL_MAX_LAG:+&max_lag_seconds=$DRILL_MAX_LAG}
step "runbook: verify the secondary before a planned failover (objects, orphaned users, replication SYNCHRONIZED, freshness)"
gate "/v1/gates/pre-cutover?pair=payments&state=synchronized$MAX_LAG"
step "runbook: listeners before the failover"
gate "/v1/gates/landing?pair=payments"

failover() {
  control "/failover?mode=$1${2:+&to=$2}" | jq -r '"primary is now \(.primary), secondary \(.secondary)"'
}
activate() {
  echo "\$ understudy activate --pair payments"
  local rc=0
  "$BIN/understudy" activate --pair payments >"$WORK/activate.out" 2>>"$WORK/understudy.err" || rc=$?
  cat "$WORK/activate.out"
  [ "$rc" = "${1:-0}" ] || { echo "ASSERTION FAILED: activate exit $rc, expected ${1:-0}" >&2; exit 1; }
}
# nightly_on PRIMARY_PORT SECONDARY_PORT TAG: changes on the live primary, the nightly job, checks.
nightly_on() {
  local p=$1 s=$2 tag=$3
  step "on the live primary: password rotation, a new login, a changed job step ($tag)"
  q "$p" "ALTER LOGIN [app_settlement_svc] WITH PASSWORD = N'Rotated-$tag-Passw0rd!'" >/dev/null
  q "$p" "CREATE LOGIN [app_new_$tag] WITH PASSWORD = N'New-$tag-Passw0rd!'" >/dev/null
  q "$p" "EXEC msdb.dbo.sp_update_jobstep @job_name = N'Ledger close', @step_id = 1, @command = N'SELECT ''$tag'';'" >/dev/null
  local logins step_cmd
  logins=$(q "$p" "$LOGINS_SQL"); step_cmd=$(q "$p" "$STEP_SQL")
  step "the nightly drift-sync (scripts/nightly-drift-sync.sh, unchanged)"
  local rc=0
  UNDERSTUDY="$BIN/understudy" bash scripts/nightly-drift-sync.sh payments >"$WORK/nightly-$tag.out" 2>>"$WORK/understudy.err" || rc=$?
  cat "$WORK/nightly-$tag.out"
  check "nightly drift-sync exit ($tag)" "$rc" 0
  check "the live primary is untouched: hashes and logins as made there ($tag)" "$(q "$p" "$LOGINS_SQL")" "$logins"
  check "the secondary has the rotation and the new login ($tag)" "$(q "$s" "$LOGINS_SQL")" "$logins"
  check "the secondary has the changed job step ($tag)" "$(q "$s" "$STEP_SQL")" "$step_cmd"
  jobs_only_on "$p" "$s" "after the nightly sync ($tag)"
}

if [ "$FORCED" = 1 ]; then
  q "$P0" "CREATE LOGIN [stranded_svc] WITH PASSWORD = N'Stranded-Passw0rd!'" >/dev/null
  step "outage: PAYMENTS-EAST stops (a login made there after its last snapshot is stranded)"
  control "/stop?instance=PAYMENTS-EAST" >/dev/null
  step "forced failover to PAYMENTS-WEST"
  failover forced
  logins_before=$(q "$P1" "$LOGINS_SQL")
  step "a sync with the old primary dark writes nothing (its target cannot be reached: exit 69)"
  rc=0; "$BIN/understudy" sync --pair payments --apply >"$WORK/sync-dark.out" 2>>"$WORK/understudy.err" || rc=$?
  cat "$WORK/sync-dark.out"
  check "sync exit with the old primary dark" "$rc" 69
  check "PAYMENTS-WEST logins unchanged by that sync" "$(q "$P1" "$LOGINS_SQL")" "$logins_before"
  check "PAYMENTS-WEST jobs unchanged by that sync (no step 0 without its target)" "$(q "$P1" "$JOBS_SQL")" "$JOBS_OFF"
  step "the gates answer from the last snapshot of PAYMENTS-EAST, and say so"
  gate "/v1/gates/logins?pair=payments"
  check "the gate says the primary is unreachable" "$(jq -r .primary_reachable "$WORK/gate.json")" false
  check "the gate names the snapshot it compared against" "$(jq -r '.primary_snapshot.id' "$WORK/gate.json")" 1
  check "the gate says which way it compared" \
    "$(jq -r '.direction | contains("the old primary east is unreachable: comparing the new primary west against east'"'"'s last snapshot")' "$WORK/gate.json")" true
  step "activate: jobs on PAYMENTS-WEST from PAYMENTS-EAST's last snapshot (the secondary is dark: exit 4)"
  activate 4
  check "jobs enabled on the new primary" "$(q "$P1" "$JOBS_SQL")" "$JOBS_ON"
  step "PAYMENTS-EAST returns (as the secondary); data movement resumed"
  control "/start?instance=PAYMENTS-EAST" | jq -r '"primary is now \(.primary), secondary \(.secondary)"'
  control "/ha?db=payments&state=SYNCHRONIZED&health=HEALTHY" >/dev/null
  step "the nightly drift-sync: the stranded login is listed and left alone (exit 4 while it is left)"
  rc=0
  UNDERSTUDY="$BIN/understudy" bash scripts/nightly-drift-sync.sh payments >"$WORK/nightly-forced.out" 2>>"$WORK/understudy.err" || rc=$?
  cat "$WORK/nightly-forced.out"
  check "nightly drift-sync exit with a stranded login left" "$rc" 4
  check "the nightly sync lists the stranded login" \
    "$(grep -c '^  stranded login "stranded_svc": stranded on east: created or changed there after snapshot 1' "$WORK/nightly-forced.out")" 1
  check "the stranded login is left alone on PAYMENTS-EAST" \
    "$(q "$P0" "SELECT name, CAST(is_disabled AS int) FROM sys.sql_logins WHERE name = N'stranded_svc'")" "stranded_svc|0"
  check "the stranded login is not carried to PAYMENTS-WEST" \
    "$(q "$P1" "SELECT COUNT(*) FROM sys.sql_logins WHERE name = N'stranded_svc'")" 0
  jobs_only_on "$P1" "$P0" "after the old primary returned"
  step "forced-failover drill passed: every step held"
  exit 0
fi

step "runbook: planned failover to PAYMENTS-WEST"
failover planned
step "runbook: activate — Agent jobs follow the roles"
activate
jobs_only_on "$P1" "$P0" "after activate"
step "runbook: validate after the failover (listeners swapped, objects, orphaned users, jobs)"
gate "/v1/gates/post-failover?pair=payments"
nightly_on "$P1" "$P0" west

step "runbook: fail back with a planned failover to PAYMENTS-EAST"
failover planned
activate
jobs_only_on "$P0" "$P1" "after failing back"
step "runbook: validate after failing back (listeners back to the original roles)"
gate "/v1/gates/post-failover?pair=payments&expect=primary"
nightly_on "$P0" "$P1" east

step "drill passed: every gate answered 200 and every step held"
