#!/usr/bin/env bash
# A secondary that missed a NOTIFY hears of the served serial when signerd
# starts, not at its SOA retry timer (issue 13: secondaries are never left
# behind).
#   BIND primary --> signerd --> BIND secondary, SOA refresh and retry 3600.
# The secondary is down while signerd publishes a change and signerd stops
# before the secondary comes back: the NOTIFY of that serial was never
# answered. The secondary starts with signerd down (its own refresh at load
# fails: nothing answers, so it waits the SOA retry, an hour); then signerd
# starts and must NOTIFY the serial it serves at once: the secondary has it
# within seconds and delv validates there. The same after kill -9.
#   notify_on_start.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=notify.test
primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
bind2_port=$(sys_free_port)

write_zone() { # SERIAL WWW_ADDRESS
  cat >"$SYS_WORK/$zone.zone" <<ZONE
\$ORIGIN $zone.
\$TTL 300
@        SOA  ns1 hostmaster $1 3600 3600 1209600 300
@        NS   ns1
ns1      A    127.0.0.1
www      A    $2
ZONE
}
write_zone 2026120301 192.0.2.1

step "BIND primary on $primary_port (NOTIFY to signerd on $signer_port)"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null
step "SoftHSM2 token"
signerd_token
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port")
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: default
CONF

stop_pid() { # PID SIGNAL
  kill "-$2" "$1"
  wait "$1" 2>/dev/null || true
}
start_secondary() {
  sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
  secondary_pid=$(cat "$SYS_WORK/bind2/pid")
}

step "signerd on $signer_port, BIND secondary on $bind2_port"
signerd_start
sys_wait_serial "$signer_port" "$zone" 2026120301 60 || fail "signerd did not serve the signed zone"
start_secondary
sys_wait_serial "$bind2_port" "$zone" 2026120301 || fail "the secondary did not load the signed zone"

# missed_notify SERIAL ADDRESS SIGNAL — with the secondary down, the primary
# publishes SERIAL, signerd signs and serves it (its NOTIFY goes unanswered)
# and is then stopped with SIGNAL; the secondary starts again while signerd
# is down, and must still be on the serial before.
missed_notify() {
  local serial=$1 address=$2 signal=$3 before
  before=$(sys_soa_serial "$bind2_port" "$zone")
  sys_named_zone_file bind2 "$zone" >/dev/null
  stop_pid "$secondary_pid" TERM
  write_zone "$serial" "$address"
  sys_rndc primary reload "$zone" >/dev/null
  sys_wait_serial "$signer_port" "$zone" "$serial" 30 || fail "signerd did not publish $serial"
  stop_pid "$signerd_pid" "$signal"
  start_secondary
  # Its refresh at load finds nobody; give it the time to fail.
  sleep 3
  [[ $(sys_soa_serial "$bind2_port" "$zone") == "$before" ]] ||
    fail "the secondary is not on $before before signerd starts: the test proves nothing"
}

step "a NOTIFY missed, signerd stopped by SIGTERM, then started"
missed_notify 2026120302 192.0.2.2 TERM
signerd_start
started=$SECONDS
sys_wait_serial "$bind2_port" "$zone" 2026120302 20 ||
  fail "the secondary did not get serial 2026120302 after signerd started (its SOA retry is 3600 s)"
echo "   the secondary had 2026120302 $((SECONDS - started)) s after signerd started"
grep -q "resumed signed serial 2026120302" "$log" || fail "signerd did not resume 2026120302"
[[ $(dig +short -p "$bind2_port" @127.0.0.1 "www.$zone" A) == 192.0.2.2 ]] || fail "the secondary lacks the change"
sys_delv_validate "$bind2_port" "$zone" "www.$zone" A

step "a NOTIFY missed, signerd killed (-9), then started"
missed_notify 2026120303 192.0.2.3 KILL
signerd_start
started=$SECONDS
sys_wait_serial "$bind2_port" "$zone" 2026120303 20 ||
  fail "the secondary did not get serial 2026120303 after signerd restarted from kill -9"
echo "   the secondary had 2026120303 $((SECONDS - started)) s after signerd started"
sys_delv_validate "$bind2_port" "$zone" "www.$zone" A
echo "notify_on_start: ok"
