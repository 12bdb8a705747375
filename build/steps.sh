# Sourced by the README's scripts, so that a failing step never ends a script silently: it says which step
# failed and shows the end of that step's log.
#   run_step  "building the sidecar" build/mvn -q -pl sidecar -am package -DskipTests   # output kept in a log
#   show_step "building the control plane" testenv/local-cluster build                 # long: output shown as it goes
# Logs go to $STEP_LOGS (default: a new temporary folder). Everything goes to stderr, so a benchmark's stdout
# keeps its table and its JSON line.
STEP_LOGS=${STEP_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/ou-steps.XXXXXX")}

step_log() { printf '%s/%s.log' "$STEP_LOGS" "$(printf '%s' "$1" | tr -c 'A-Za-z0-9' '-' | cut -c1-60)"; }

step_failed() {  # step_failed NAME RC LOG CMD...
  local name=$1 rc=$2 log=$3; shift 3
  {
    printf '\nerror: step "%s" failed (exit %s): %s\n' "$name" "$rc" "$*"
    printf -- '--- last 40 lines of %s ---\n' "$log"
    tail -n 40 "$log"
    printf -- '--- end of %s ---\n' "$log"
  } >&2
  exit "$rc"
}

run_step() {
  local name=$1; shift
  local log; log=$(step_log "$name")
  printf '[%s] %s...\n' "$(date +%H:%M:%S)" "$name" >&2
  "$@" >"$log" 2>&1 || step_failed "$name" $? "$log" "$@"
}

show_step() {
  local name=$1; shift
  local log; log=$(step_log "$name")
  printf '[%s] %s...\n' "$(date +%H:%M:%S)" "$name" >&2
  local rc=0
  "$@" 2>&1 | tee "$log" >&2 || rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || step_failed "$name" "$rc" "$log" "$@"
}
