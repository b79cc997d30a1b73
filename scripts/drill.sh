#!/usr/bin/env bash
# A planned failover drill, end to end, on emulated instances — the runbook of the field report
# (docs/runbook.md runs the same steps against real instances):
#   pre-stage the secondary (snapshot the primary, sync) → pre-cutover gate (?state=synchronized)
#   → planned failover → activate → post-failover gate (roles swapped) → fail back → activate →
#   post-failover gate (?expect=primary: roles back).
# Each step's gate answer is printed; the drill stops at the first gate that does not pass, with
# exit 1 (the gate failed) or 2 (the gate could not tell). Exit 0 when every gate passed.
#
#   scripts/drill.sh [--bin DIR] [--keep]
#     --bin DIR   where understudy and understudy-emulator-cluster are (default: build/bin)
#     --keep      keep the work directory (config, store, logs)
#   DRILL_SKIP_SYNC=1   skip the sync: pre-cutover fails (the drill's own negative test)
#   DRILL_LAG=SECONDS   report this replication lag on payments: with DRILL_MAX_LAG below it,
#   DRILL_MAX_LAG=N     pre-cutover fails on lag_above_bound
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/emulator.sh
BIN=$ROOT/build/bin
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: scripts/drill.sh [--bin DIR] [--keep]" >&2; exit 64 ;;
  esac
done
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
step "starting the emulated cluster (availability group payments-ag between PAYMENTS-EAST and PAYMENTS-WEST)"
export DRILL_SA_PASSWORD="Drill-Passw0rd!"
export DRILL_CREDENTIAL_SECRET="drill-credential-secret"
export DRILL_LINKED_SECRET="drill-linked-secret"
"$BIN/understudy-emulator-cluster" --sa-password "$DRILL_SA_PASSWORD" \
    --fixture-0 "$ROOT/tests/fixtures/payments-primary.json" --fixture-1 "$ROOT/tests/fixtures/empty-secondary.json" \
    --name-0 PAYMENTS-EAST --name-1 PAYMENTS-WEST --engine-edition 3 --mechanism availability_group --group payments-ag \
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
RUNBOOK_TOKEN="drill-runbook-token"
cat >"$WORK/understudy.toml" <<EOF
store = "$WORK/understudy.db"

[instances.primary]
connection = "$(cs "$P0")"
password_env = "DRILL_SA_PASSWORD"
login_timeout = "5s"

[instances.secondary]
connection = "$(cs "$P1")"
password_env = "DRILL_SA_PASSWORD"
login_timeout = "5s"

[pairs.payments]
primary = "primary"
secondary = "secondary"
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
"$BIN/understudy" snapshot --pair payments 2>>"$WORK/understudy.err"
if [ "${DRILL_SKIP_SYNC:-0}" = 1 ]; then
  step "pre-stage: sync SKIPPED (DRILL_SKIP_SYNC=1) — the pre-cutover gate must stop the drill"
else
  step "pre-stage: sync logins (same SIDs), roles, credentials, linked servers, Agent jobs to the secondary"
  # Exit 4 (objects left as they are) is not the drill's verdict: the gate decides.
  rc=0; "$BIN/understudy" sync --pair payments --apply >"$WORK/sync.out" 2>>"$WORK/understudy.err" || rc=$?
  tail -n 3 "$WORK/sync.out"; echo "(sync exit $rc)"
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

# `understudy activate` after each failover: Agent jobs enabled on the live primary only (exit 0 asserted).
activate() {
  echo "\$ understudy activate --pair payments"
  local rc=0
  "$BIN/understudy" activate --pair payments >"$WORK/activate.out" 2>>"$WORK/understudy.err" || rc=$?
  cat "$WORK/activate.out"
  [ "$rc" = 0 ] || { echo "drill stopped: activate exit $rc" >&2; exit 1; }
}

MAX_LAG=${DRILL_MAX_LAG:+&max_lag_seconds=$DRILL_MAX_LAG}
step "runbook: verify the secondary before a planned failover (objects, orphaned users, replication SYNCHRONIZED, freshness)"
gate "/v1/gates/pre-cutover?pair=payments&state=synchronized$MAX_LAG"
step "runbook: listeners before the failover"
gate "/v1/gates/landing?pair=payments"

step "runbook: planned failover to PAYMENTS-WEST"
control "/failover?mode=planned" | jq -r '"primary is now \(.primary), secondary \(.secondary)"'
step "runbook: activate — Agent jobs enabled on PAYMENTS-WEST, disabled on PAYMENTS-EAST"
activate
step "runbook: validate after the failover (listeners swapped, objects, orphaned users, jobs)"
gate "/v1/gates/post-failover?pair=payments"

step "runbook: fail back with a planned failover to PAYMENTS-EAST"
control "/failover?mode=planned" | jq -r '"primary is now \(.primary), secondary \(.secondary)"'
step "runbook: activate — Agent jobs back on PAYMENTS-EAST"
activate
step "runbook: validate after failing back (listeners back to the original roles, jobs)"
gate "/v1/gates/post-failover?pair=payments&expect=primary"

step "drill passed: every gate answered 200"
