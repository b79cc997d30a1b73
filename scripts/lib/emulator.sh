# shellcheck shell=bash
# scripts/lib/emulator.sh — start a server in the background and wait until it listens. Sourced
# (bash) by the scripts and test runners that start understudy-emulator or `understudy serve`:
# both print "listening on HOST:PORT" as the first line of their stdout once they accept
# connections, and until then the port is unknown (they bind port 0).
#
#   start_listener BASE TIMEOUT_S LABEL PIDS CMD [ARG…]
#       runs CMD with stdout to BASE.out and stderr to BASE.err, records its pid in PIDS, waits
#       until it listens; sets LISTEN_PID, LISTEN_ADDR (HOST:PORT) and LISTEN_PORT.
#   wait_for_line BASE PATTERN PID TIMEOUT_S LABEL
#       waits for the first line of BASE.out matching PATTERN (grep); sets FOUND_LINE.
#
# Both return 1 when the process exits first or the time runs out, after printing on stderr
# "LABEL did not start: …" and the last lines of BASE.err. LABEL is whatever names the process in
# the caller's own messages, prefix included ("drill: understudy serve", "FAIL: emulator").
# Results come back in variables, not on stdout: the caller must not run these in $(…), because
# a process started in a subshell is not the caller's child (no `wait` for its exit status) and
# a pid it records in an array is lost with the subshell.
# Nothing here sets shell options; it works with or without set -euo pipefail.

# PIDS is where the caller's cleanup finds the process: a pid file when it holds a "/", else the
# name of an array to append to or of a plain variable to set. It is recorded before the wait, so
# that a process which never listens is stopped with the rest.
# shellcheck disable=SC2034  # LISTEN_* are the caller's to read
start_listener() {
  local base=$1 timeout=$2 label=$3 sink=$4
  shift 4
  "$@" >"$base.out" 2>"$base.err" &
  LISTEN_PID=$!
  if [[ $sink == */* ]]; then
    echo "$LISTEN_PID" >"$sink"
  elif [[ $(declare -p "$sink" 2>/dev/null) == "declare -a"* ]]; then
    local -n _start_listener_pids=$sink
    _start_listener_pids+=("$LISTEN_PID")
  else
    printf -v "$sink" %s "$LISTEN_PID"
  fi
  wait_for_line "$base" '^listening on ' "$LISTEN_PID" "$timeout" "$label" || return 1
  LISTEN_ADDR=${FOUND_LINE#listening on }
  LISTEN_ADDR=${LISTEN_ADDR%% *}  # `understudy serve` may add " (tls)"
  LISTEN_PORT=${LISTEN_ADDR##*:}
}

# No upper bound of its own: large fixtures load for minutes, even hours, so TIMEOUT_S is the
# caller's; a process that dies is noticed within a tenth of a second whatever the timeout.
wait_for_line() {
  local base=$1 pattern=$2 pid=$3 timeout=$4 label=$5
  # EPOCHREALTIME, not SECONDS: a whole-second clock can stop a short wait up to a second early.
  local deadline=$((${EPOCHREALTIME//[!0-9]/} + timeout * 1000000)) line status reason
  while :; do
    # The line is looked for before the pid: a process that printed it and then stopped at once
    # is the caller's to notice, not a start that failed.
    if line=$(grep -m1 -e "$pattern" "$base.out" 2>/dev/null); then
      FOUND_LINE=$line
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      status=0
      wait "$pid" 2>/dev/null || status=$?
      # 127: not this shell's child, its status unknown here (or CMD not found: stderr says so).
      if [ "$status" = 127 ]; then reason="it exited before it listened"
      else reason="it exited with status $status before it listened"; fi
      break
    fi
    if ((${EPOCHREALTIME//[!0-9]/} >= deadline)); then
      reason="no line matching '$pattern' on its stdout within $timeout s"
      break
    fi
    sleep 0.1
  done
  {
    echo "$label did not start: $reason"
    if [ -s "$base.out" ]; then echo "first line of its stdout: '$(head -n1 "$base.out")'"; fi
    if [ -s "$base.err" ]; then
      echo "last lines of its stderr:"
      tail -n 20 "$base.err" | sed 's/^/  /'
    else
      echo "(nothing on its stderr)"
    fi
  } >&2
  return 1
}
