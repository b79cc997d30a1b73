#!/usr/bin/env bash
# Node's tedious (from npm, pinned in package-lock.json) against the emulator. SKIPPED (77) when
# node or the package cannot be had here — never a fake pass.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "SKIPPED: node is not installed"; exit 77; }
if [ ! -d "$here/node_modules/tedious" ]; then
  command -v npm >/dev/null || { echo "SKIPPED: npm is not installed"; exit 77; }
  (cd "$here" && timeout 180 npm ci --no-audit --no-fund >/dev/null 2>&1) ||
    { echo "SKIPPED: npm ci could not install tedious"; exit 77; }
fi
exec node "$here/tedious_test.js"
