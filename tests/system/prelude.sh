# tests/system/prelude.sh — the common start of a signerd system test.
#   source "$(dirname "$0")/prelude.sh" "$@"     (first argument: the signerd binary)
# Sets signerd_bin, here (tests/system), root (the checkout) and SYS_WORK (a
# fresh temp dir, exported), sources lib.sh, defines step and fail, and traps
# EXIT: every process the test started is stopped by PID, the tails of
# $SYS_WORK/signerd*.log are printed when the test failed, SYS_WORK goes.
set -euo pipefail
signerd_bin=$(realpath "${1:?usage: $(basename "$0") SIGNERD_BINARY}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/lib.sh"

SYS_WORK=$(mktemp -d)
export SYS_WORK
sys__finish() {
  local status=$1 log
  sys_stop_all
  if [[ $status -ne 0 ]]; then
    for log in "$SYS_WORK"/signerd*.log; do
      [[ -f $log ]] && { echo "--- $(basename "$log") (tail)"; tail -n 40 "$log"; }
    done
  fi
  rm -rf "$SYS_WORK"
}
trap 'sys__finish $?' EXIT

step() { echo "== $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
