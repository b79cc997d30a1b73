#!/usr/bin/env bash
# A runbook step: before cutting over to the DR target, ask the pre-cutover gate and stop on
# anything but a pass. The gate answers 200 only when the target is ready; 503 when it is not or
# when it cannot tell (target unreachable, primary snapshot too old) — `curl --fail` turns every
# non-2xx into a failing step, and the body (printed either way) lists exactly what is missing.
#
#   UNDERSTUDY_URL=https://dr-gates.example.com:8470 UNDERSTUDY_TOKEN_FILE=/etc/understudy/runbook.token \
#     scripts/runbook-precutover.sh payments
#
# Environment: UNDERSTUDY_URL (default http://127.0.0.1:8470), UNDERSTUDY_TOKEN_FILE (a file holding
# a `runbook` token; the token is never put on the command line, where `ps` would show it),
# GATE (default pre-cutover), MAX_AGE (optional: seconds; the oldest primary snapshot accepted).
# Exit: 0 pass; 1 the gate failed or was unknown; 64 usage; 69 the service did not answer.
set -euo pipefail

pair=${1:-}
if [ -z "$pair" ]; then
  echo "usage: $0 PAIR" >&2
  exit 64
fi
url=${UNDERSTUDY_URL:-http://127.0.0.1:8470}
gate=${GATE:-pre-cutover}
token_file=${UNDERSTUDY_TOKEN_FILE:-}
if [ -z "$token_file" ] || [ ! -r "$token_file" ]; then
  echo "runbook: set UNDERSTUDY_TOKEN_FILE to a readable file holding a runbook token" >&2
  exit 64
fi

query="pair=${pair}"
[ -n "${MAX_AGE:-}" ] && query="${query}&max_age=${MAX_AGE}"

body=$(mktemp)
trap 'rm -f "$body"' EXIT
# The Authorization header comes from a file (curl -H @file), so the token never appears in argv.
header=$(mktemp)
trap 'rm -f "$body" "$header"' EXIT
chmod 600 "$header"
printf 'Authorization: Bearer %s\n' "$(cat "$token_file")" > "$header"

echo "runbook: asking gate '${gate}' about pair '${pair}' at ${url}"
set +e
status=$(curl --silent --show-error --output "$body" --write-out '%{http_code}' \
  -H @"$header" "${url}/v1/gates/${gate}?${query}")
rc=$?
set -e
if [ $rc -ne 0 ]; then
  echo "runbook: STOP — the gate service did not answer (curl exit $rc)" >&2
  exit 69
fi
cat "$body"; echo
if [ "$status" = "200" ]; then
  echo "runbook: gate '${gate}' PASSED for '${pair}' — continue with the cutover"
  exit 0
fi
echo "runbook: STOP — gate '${gate}' answered HTTP ${status} for '${pair}'; fix the failures above (or wait for a fresh snapshot) and run this step again" >&2
exit 1
