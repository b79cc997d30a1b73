#!/usr/bin/env bash
# Understudy in five minutes, on emulated instances: the payments primary of the incident in
# docs/runbook.md and an empty secondary. Walks the whole story:
#   snapshot the primary → the drift → the pre-cutover gate fails (503, listing what is missing) →
#   sync plan → sync --apply → the gate passes (200) → drift report and audit trail.
# Installs what is missing, builds, and cleans up after itself (the work dir is kept with --keep).
#   scripts/demo.sh [--keep] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/emulator.sh
KEEP=0; BUILD=1
for a in "$@"; do
  case "$a" in
    --keep) KEEP=1 ;;
    --no-build) BUILD=0 ;;
    *) echo "usage: scripts/demo.sh [--keep] [--no-build]" >&2; exit 64 ;;
  esac
done

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }

if [ "$BUILD" = 1 ]; then
  bold "installing what is missing and building"
  bash scripts/install-deps.sh
  # Reuse build/ as scripts/test.sh left it (any build type); configure it when it is new.
  if [ -f build/CMakeCache.txt ]; then cmake -S . -B build >/dev/null
  else cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON >/dev/null; fi
  cmake --build build -j "$(nproc)" --target understudy understudy-emulator >/dev/null
fi
BIN=$ROOT/build/bin
WORK=$(mktemp -d /tmp/understudy-demo.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Start an emulated instance: NAME FIXTURE SA_PASSWORD [emulator args…] → sets PORT.
start_emulator() {
  local name=$1 fixture=$2 pw=$3; shift 3
  start_listener "$WORK/$name" 10 "emulator $name" PIDS "$BIN/understudy-emulator" --listen 127.0.0.1:0 \
      --sa-password "$pw" --server-name "$name" --fixture "$fixture" "$@"
  PORT=$LISTEN_PORT
}

# The first N lines of a command's output. Through a file, not `| head`: under pipefail a writer
# cut off by head's exit (EPIPE, SIGPIPE) would fail the demo at random.
show_head() {
  local n=$1; shift
  run "$@" >"$WORK/show.out"
  head -n "$n" "$WORK/show.out"
}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bold "starting two emulated instances (SQL Server over TDS, reached through unixODBC + FreeTDS)"
export PRIMARY_SA_PASSWORD="Demo-Primary-1!"
export SECONDARY_SA_PASSWORD="Demo-Secondary-1!"
start_emulator PAYMENTS-PRI "$ROOT/tests/fixtures/payments-primary.json" "$PRIMARY_SA_PASSWORD"; P_PORT=$PORT
start_emulator PAYMENTS-DR "$ROOT/tests/fixtures/empty-secondary.json" "$SECONDARY_SA_PASSWORD"; S_PORT=$PORT
echo "primary   PAYMENTS-PRI on 127.0.0.1:$P_PORT (the payments primary of the incident in docs/runbook.md)"
echo "secondary PAYMENTS-DR  on 127.0.0.1:$S_PORT (has the payments database, none of the server-level state)"

HTTP_PORT=$(free_port)
RUNBOOK_TOKEN="demo-runbook-token"; OPERATOR_TOKEN="demo-operator-token"; AUDITOR_TOKEN="demo-auditor-token"
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
# Secrets of replayed objects come from a secrets source at replay time, never from SQL Server.
export PAYMENTS_BACKUP_SAS="sv=2022-11-02&ss=b&srt=co&sp=rwdlac&sig=FIXTURE-SECRET"
export LEDGER_ARCHIVE_PASSWORD="Archive-Passw0rd!"
cat >"$WORK/understudy.toml" <<TOML
store = "$WORK/understudy.db"

[instances.primary]
connection = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=$P_PORT;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8"
password_env = "PRIMARY_SA_PASSWORD"

[instances.secondary]
connection = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=$S_PORT;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8"
password_env = "SECONDARY_SA_PASSWORD"

[pairs.payments]
primary = "primary"
secondary = "secondary"

[service]
listen = "127.0.0.1:$HTTP_PORT"
snapshot_interval = "0"

[[service.tokens]]
name = "demo-runbook"
role = "runbook"
sha256 = "$(sha "$RUNBOOK_TOKEN")"

[[service.tokens]]
name = "demo-operator"
role = "operator"
sha256 = "$(sha "$OPERATOR_TOKEN")"

[[service.tokens]]
name = "demo-auditor"
role = "auditor"
sha256 = "$(sha "$AUDITOR_TOKEN")"

[secrets.credentials]
payments_backup_url = { env = "PAYMENTS_BACKUP_SAS" }

[secrets.linked_server_logins]
"LEDGER_ARCHIVE|app_ledger_svc" = { env = "LEDGER_ARCHIVE_PASSWORD" }
TOML
export UNDERSTUDY_CONFIG=$WORK/understudy.toml
US() { run "$BIN/understudy" "$@"; }

bold "1. snapshot the primary's server-level state into the store"
US snapshot --pair payments
US snapshots list

bold "2. drift: what the secondary lacks (exit 1 = drift found)"
set +e; US diff --pair payments; echo "(exit $?)"; set -e

bold "2b. master's own state a failover leaves behind: custom message 50001 (the settlement job raises it) and two settings"
set +e; US snapshots show 1 --kind custom_message; US snapshots show 1 --kind configuration; set -e

bold "3. start the gate service"
"$BIN/understudy" serve >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$HTTP_PORT/livez" >/dev/null 2>&1 && break; sleep 0.1; done
run curl -sS "http://127.0.0.1:$HTTP_PORT/readyz"; echo

bold "4. the runbook asks: is the secondary ready for cutover? (503 = no, with the exact list)"
set +e
run curl -sS -o "$WORK/gate1.json" -w 'HTTP %{http_code}\n' -H "Authorization: Bearer $RUNBOOK_TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/v1/gates/pre-cutover?pair=payments"
show_head 60 /usr/bin/python3 -m json.tool "$WORK/gate1.json"
run curl -sS --fail -o /dev/null -H "Authorization: Bearer $RUNBOOK_TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/v1/gates/pre-cutover?pair=payments"
echo "(curl --fail exit $? — a runbook step stops here)"
set -e

bold "5. sync: the plan first (dry run, changes nothing)"
set +e; US sync --pair payments; echo "(exit $?)"; set -e

bold "6. sync --apply: replay onto the secondary, then re-read it and diff again"
set +e; US sync --pair payments --apply; rc=$?; echo "(exit $rc)"; set -e

bold "7. the gate again (200 = ready)"
run curl -sS -o "$WORK/gate2.json" -w 'HTTP %{http_code}\n' -H "Authorization: Bearer $RUNBOOK_TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/v1/gates/pre-cutover?pair=payments"
show_head 30 /usr/bin/python3 -m json.tool "$WORK/gate2.json"
set +e; US diff --pair payments; echo "(exit $?)"; set -e

bold "8. for the auditors: the drift report (each finding's lifecycle) and the tamper-evident audit trail"
show_head 12 curl -sS -H "Authorization: Bearer $AUDITOR_TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/v1/reports/drift?pair=payments&format=csv"
curl -sS -H "Authorization: Bearer $AUDITOR_TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/v1/reports/drift?pair=payments&format=html" -o "$WORK/drift-report.html"
echo "HTML report: $WORK/drift-report.html"
show_head 25 curl -sS -H "Authorization: Bearer $AUDITOR_TOKEN" "http://127.0.0.1:$HTTP_PORT/v1/audit"
US audit verify

bold "done: the secondary now holds the primary's logins (same SIDs and password hashes), roles, permissions, credential, linked server and Agent jobs"
