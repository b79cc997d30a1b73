# checks.sh — tiny assertion helpers for the shell interop tests (sourced).
fails=0
# expect_contains WHAT OUTPUT NEEDLE
expect_contains() {
  if [[ "$2" == *"$3"* ]]; then
    echo "ok: $1"
  else
    echo "FAIL: $1: expected to find: $3" >&2
    echo "--- output was:" >&2
    echo "$2" >&2
    fails=$((fails + 1))
  fi
}
# write_freetds_conf FILE — FreeTDS 1.3 takes the CA (`ca file`) only from a freetds.conf section:
# emu_tls requires encryption and trusts EMU_CA, emu_rogue the same trusting EMU_ROGUE_CA.
write_freetds_conf() {
  local s
  for s in "emu_tls $EMU_CA" "emu_rogue $EMU_ROGUE_CA"; do
    printf '[%s]\n\thost = 127.0.0.1\n\tport = %s\n\ttds version = 7.4\n\tencryption = require\n\tca file = %s\n' \
      "${s%% *}" "$EMU_PORT" "${s#* }"
  done >"$1"
}
finish() {
  if [ "$fails" -ne 0 ]; then echo "$fails check(s) failed" >&2; exit 1; fi
  exit 0
}
