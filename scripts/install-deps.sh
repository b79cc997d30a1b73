#!/usr/bin/env bash
# Installs the Debian (bookworm) packages that Understudy's build, tests and demo need.
# Idempotent: when everything is present it only checks and exits quickly.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  unixodbc unixodbc-dev tdsodbc freetds-bin
  libsqlite3-dev sqlite3
  libpq-dev postgresql  # the PostgreSQL store (libpq), and the server the tests start for themselves (initdb, pg_ctl)
  nlohmann-json3-dev libcpp-httplib-dev libssl-dev
  libgtest-dev libgmock-dev
  libexpected-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  openssl  # tests: make-test-pki.sh makes the CA and server certificate of the encrypted-connection tests
  python3 python3-tds python3-openssl  # pytds needs pyOpenSSL for encrypted connections (tests/interop)
  golang-go golang-github-denisenkom-go-mssqldb-dev  # tests/interop: go-mssqldb, a fifth independent TDS client
  curl
  jq  # scripts/drill.sh: reads the gates' and the cluster's JSON answers
  wrk  # scripts/bench-gates.sh: HTTP load on the gate service
  clang libclang-rt-14-dev  # tests/fuzz: libFuzzer (clang's runtime ships it) and the sanitizers
  prometheus  # promtool: the suite checks the example alert rules (monitoring/alerts.yml)
  chromium  # tests/e2e/report_test.cc: the drift report page as a real browser (headless) parses it
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: missing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "install-deps: error: not root and no password-less sudo; install these packages first:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 77
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: installed ${#missing[@]} package(s)"
