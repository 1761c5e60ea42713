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
  sys_release_ports
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

# signerd_token — a SoftHSM2 token for signerd in $SYS_WORK/hsm; exports
# SOFTHSM2_CONF.
signerd_token() {
  bash "$root/deploy/hsm-init.sh" "$SYS_WORK/hsm" >/dev/null
  export SOFTHSM2_CONF=$SYS_WORK/hsm/softhsm2.conf
}

# signerd_config_head DNS_PORT [HTTP_PORT] — prints the server and hsm
# sections of a signerd config: DNS on 127.0.0.1@DNS_PORT, HTTP when given,
# the store in $SYS_WORK/state, the token of signerd_token.
signerd_config_head() {
  echo "server:"
  echo "  listen: [127.0.0.1@$1]"
  [[ -n ${2:-} ]] && echo "  http: 127.0.0.1:$2"
  cat <<CONF
  state-dir: $SYS_WORK/state
hsm:
  module: /usr/lib/softhsm/libsofthsm2.so
  token-label: signerd
  pin-file: $SYS_WORK/hsm/pin
CONF
}

# signerd_short_policy VALIDITY REFRESH — prints a `policies:` section with
# one policy, "short": a CSK (ECDSAP256SHA256), TTLs of 30-60 s, signatures
# valid VALIDITY seconds and re-signed REFRESH seconds before they expire,
# no jitter: a refresh is due VALIDITY - REFRESH seconds after each signing.
signerd_short_policy() {
  cat <<CONF
policies:
  - name: short
    keys: [{role: csk, lifetime: unlimited, algorithm: ecdsap256sha256}]
    dnskey-ttl: 30s
    max-zone-ttl: 60s
    signatures-validity: ${1}s
    signatures-validity-dnskey: ${1}s
    signatures-refresh: ${2}s
    signatures-jitter: 0s
CONF
}

# signerd_roll_policy NAME KEYS — prints one `policies:` entry, NAME with
# the key list KEYS (YAML flow), on timings in seconds that let a rollover
# run in a minute or two: DNSKEY TTL 5 s, zone TTLs up to 10 s, delays of
# 2 s, a parent DS TTL of 5 s asked every second, purge after 10 s.
signerd_roll_policy() {
  cat <<CONF
  - name: $1
    keys: $2
    dnskey-ttl: 5s
    max-zone-ttl: 10s
    zone-propagation-delay: 2s
    publish-safety: 2s
    retire-safety: 2s
    purge-keys: 10s
    parent-ds-ttl: 5s
    parent-propagation-delay: 2s
    checkds-interval: 1s
    signatures-validity: 5m
    signatures-validity-dnskey: 5m
    signatures-refresh: 4m
    signatures-jitter: 0s
CONF
}

# signerd_hosts_zone ZONE SERIAL NAMES [EXTRA_LINE] — writes
# $SYS_WORK/ZONE.zone: SOA (refresh 5 s, retry 3 s), NS, ns1 and NAMES
# A records h0..h(NAMES-1), TTL 30, and EXTRA_LINE when given.
signerd_hosts_zone() {
  {
    echo "\$ORIGIN $1."
    echo "\$TTL 30"
    echo "@ SOA ns1 hostmaster $2 5 3 3600 30"
    echo "@ NS ns1"
    echo "ns1 A 127.0.0.1"
    awk -v n="$3" 'BEGIN { for (i = 0; i < n; i++) printf "h%d A 10.%d.%d.%d\n", i, int(i / 65536), int(i / 256) % 256, i % 256 }'
    if [[ -n ${4:-} ]]; then echo "$4"; fi
  } >"$SYS_WORK/$1.zone"
}

# signerd_start — starts signerd on $SYS_WORK/signerd.yaml in the
# background; sets signerd_pid and log ($SYS_WORK/signerd.N.log, N counting
# the starts, so each run's log stays for the failure tails).
signerd_runs=0
signerd_start() {
  signerd_runs=$((signerd_runs + 1))
  log=$SYS_WORK/signerd.$signerd_runs.log
  "$signerd_bin" --config "$SYS_WORK/signerd.yaml" >"$log" 2>&1 &
  signerd_pid=$!
  sys_track_pid "$signerd_pid"
}

# signerd_status_keys HTTP_PORT ZONE EXPR — prints the Python expression
# EXPR over `k`, the list of ZONE's keys in signerd's /status.
signerd_status_keys() {
  curl -fsS "http://127.0.0.1:$1/status" | python3 -c '
import json, sys
k = [z for z in json.load(sys.stdin)["zones"] if z["zone"].rstrip(".") == sys.argv[1]][0]["keys"]
print(eval(sys.argv[2]))' "$2" "$3"
}

# wait_until SECONDS DESCRIPTION COMMAND... — runs COMMAND every 0.5 s
# until it succeeds; fails the test with DESCRIPTION after SECONDS.
wait_until() {
  local timeout=$1 what=$2 start=$SECONDS
  shift 2
  while ((SECONDS - start < timeout)); do
    "$@" && return 0
    sleep 0.5
  done
  fail "$what: not within ${timeout} s"
}
