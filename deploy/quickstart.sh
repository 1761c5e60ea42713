#!/usr/bin/env bash
# The main job on one machine, on loopback high ports:
#   BIND 9 primary (unsigned example zone) -> signerd (keys in a SoftHSM2
#   token) -> BIND 9 secondary (the signed zone)
# then shows `dig +dnssec` from the secondary, validates it with `delv`
# against the zone's own DNSKEY as trust anchor, prints the status URL and
# waits; Ctrl-C stops everything it started.
#   deploy/quickstart.sh [--no-wait]     (--no-wait: stop after validating)
# Ports: QS_PRIMARY_PORT (35301), QS_SIGNER_PORT (35302),
# QS_SECONDARY_PORT (35303), QS_HTTP_PORT (35380). State: ./state/quickstart.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
wait_for_user=1
[[ ${1:-} == --no-wait ]] && wait_for_user=0

bash deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target signerd signerctl

zone=example.com
primary_port=${QS_PRIMARY_PORT:-35301}
signer_port=${QS_SIGNER_PORT:-35302}
secondary_port=${QS_SECONDARY_PORT:-35303}
http_port=${QS_HTTP_PORT:-35380}
state=$root/state/quickstart
mkdir -p "$state"

# The servers are started with the system tests' helpers; every PID they
# start is stopped on exit.
source tests/system/lib.sh
SYS_WORK=$state/run
rm -rf "$SYS_WORK"
mkdir -p "$SYS_WORK"
export SYS_WORK
trap 'echo; echo "== stopping"; sys_stop_all; sys_release_ports' EXIT
trap 'exit 0' INT TERM

echo "== the unsigned zone: signerctl check-zone"
cp deploy/examples/example.com.zone "$SYS_WORK/$zone.zone"
build/bin/signerctl check-zone --zone "$zone" --in "$SYS_WORK/$zone.zone" >/dev/null

echo "== BIND primary on 127.0.0.1#$primary_port (NOTIFY to signerd)"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null

echo "== SoftHSM2 token in $state/hsm"
[[ -f $state/hsm/pin ]] || bash deploy/hsm-init.sh "$state/hsm" >/dev/null
export SOFTHSM2_CONF=$state/hsm/softhsm2.conf
cat >"$state/signerd.yaml" <<CONF
server:
  listen: [127.0.0.1@$signer_port]
  http: 127.0.0.1:$http_port
  state-dir: $state/db
hsm:
  module: /usr/lib/softhsm/libsofthsm2.so
  token-label: signerd
  pin-file: $state/hsm/pin
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$secondary_port}]
    policy: default
CONF
build/bin/signerd --config "$state/signerd.yaml" --check

echo "== signerd on 127.0.0.1#$signer_port (log: $SYS_WORK/signerd.log)"
build/bin/signerd --config "$state/signerd.yaml" >"$SYS_WORK/signerd.log" 2>&1 &
sys_track_pid $!
serial=$(sys_soa_serial "$primary_port" "$zone")
[[ -n $serial ]] || { echo "quickstart: the primary on port $primary_port does not answer" >&2; exit 1; }
sys_wait_serial "$signer_port" "$zone" "$serial" 60

echo "== BIND secondary on 127.0.0.1#$secondary_port, transferring from signerd"
sys_start_named_secondary secondary "$secondary_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$secondary_port" "$zone" "$serial"

echo
echo "== dig +dnssec www.$zone A at the secondary"
dig +dnssec +norec +multiline -p "$secondary_port" @127.0.0.1 "www.$zone" A | sed -n '/ANSWER SECTION/,/^$/p'
echo "== delv, with the zone's own DNSKEY as trust anchor"
sys_delv_validate "$secondary_port" "$zone" "www.$zone" A && echo "; fully validated: www.$zone A, trust anchor = the zone's own KSK"
echo
echo "== keys and DS for the parent"
build/bin/signerctl keys --config "$state/signerd.yaml" --zone "$zone"
build/bin/signerctl ds --config "$state/signerd.yaml" --zone "$zone"
echo
echo "status:  curl http://127.0.0.1:$http_port/status"
echo "health:  curl http://127.0.0.1:$http_port/healthz"
echo "change:  edit $SYS_WORK/$zone.zone (bump the serial), then"
echo "         rndc -c $SYS_WORK/primary/rndc.conf reload $zone"
echo "         and watch dig -p $secondary_port @127.0.0.1 $zone SOA"
if [[ $wait_for_user -eq 1 ]]; then
  echo
  echo "running; Ctrl-C stops the primary, signerd and the secondary"
  while true; do sleep 3600; done
fi
