#!/usr/bin/env bash
# Builds go_mssqldb_client.go offline in GOPATH mode against Debian's go-mssqldb and runs it
# (run.sh sets EMU_PORT, EMU_PW, WORK). Exit 77 when Go or the package is not installed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=/usr/share/gocode/src/github.com/denisenkom/go-mssqldb
if ! command -v go >/dev/null 2>&1 || [ ! -d "$src" ]; then
  echo "go-mssqldb not installed (golang-go, golang-github-denisenkom-go-mssqldb-dev)"
  exit 77
fi
export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$WORK/gocache" GOFLAGS= GOPROXY=off
export EMU_SCRIPTS="$here/../emulator/scripts"
go build -o "$WORK/go_mssqldb_client" "$here/go_mssqldb_client.go" || { echo "FAIL: go build" >&2; exit 1; }
"$WORK/go_mssqldb_client"
