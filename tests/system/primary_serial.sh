#!/usr/bin/env bash
# The primary's serial survives a restart (REVIEW H1). With `serial:
# increment` signerd's serial runs apart from the primary's: three edits at
# the primary (101, 102, 103) taken in one IXFR become signed serial 101.
# Before, a restart took that 101 for the primary's serial, asked IXFR from
# 101, got the steps 101 -> 103 that it already held, could not apply them
# ("removes an RR ... not present"), and stayed stuck there for good.
#   BIND primary --> signerd (serial: increment) --> BIND secondary.
# Checks: after the restart the zone is up to date without a transfer, the
# next edit (104) is taken by IXFR from 103 and reaches the secondary,
# which validates it (delv); no transfer failed to apply.
#   primary_serial.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=serial.test
primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
bind2_port=$(sys_free_port)
http_port=$(sys_free_port)

write_zone() { # SERIAL
  {
    cat <<ZONE
\$ORIGIN $zone.
\$TTL 300
@        SOA  ns1 hostmaster $1 3600 600 86400 300
@        NS   ns1
ns1      A    127.0.0.1
ZONE
    # Large enough that three steps stay IXFR (BIND's max-ixfr-ratio).
    for i in $(seq 1 100); do echo "host$i A 198.51.100.$((i % 250 + 1))"; done
    echo "serial$1 TXT \"change $1\""
  } >"$SYS_WORK/$zone.zone"
}
edit() { # SERIAL
  write_zone "$1"
  sys_rndc primary reload "$zone" >/dev/null
  sys_wait_serial "$primary_port" "$zone" "$1" 10 || fail "the primary did not load serial $1"
}
write_zone 100

step "BIND primary on $primary_port"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null
step "SoftHSM2 token"
signerd_token
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" "$http_port")
policies:
  - name: p
    keys: [{role: csk, lifetime: unlimited, algorithm: ecdsap256sha256}]
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: p
    serial: increment
CONF
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check

step "signerd on $signer_port signs 100; BIND secondary on $bind2_port"
signerd_start
sys_wait_serial "$signer_port" "$zone" 100 60 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 100 || fail "the secondary did not load the signed zone"

step "three edits while signerd is down, taken in one IXFR as signed serial 101"
kill -TERM "$signerd_pid"
wait "$signerd_pid" 2>/dev/null || true
for s in 101 102 103; do edit "$s"; done
signerd_start
sys_wait_serial "$signer_port" "$zone" 101 30 || fail "signerd did not sign the IXFR 100 -> 103 as 101"
grep -q "IXFR from 127.0.0.1@$primary_port.*signed serial 101 published" "$log" ||
  fail "101 did not come from one IXFR: $(grep 'signed serial 101' "$log")"

step "restart: the primary's serial (103) is the IXFR base, not the signed serial (101)"
kill -TERM "$signerd_pid"
wait "$signerd_pid" 2>/dev/null || true
signerd_start
wait_until 30 "signerd resumes 101 from the store" grep -q "resumed signed serial 101" "$log"
upstream_serial() {
  curl -fsS "http://127.0.0.1:$http_port/status" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["zones"][0]["upstream_serial"])'
}
at_103() { [[ $(upstream_serial) == 103 ]]; }
wait_until 10 "/status shows the primary's serial 103" at_103
edit 104
sys_wait_serial "$bind2_port" "$zone" 102 30 ||
  fail "edit 104 did not reach the secondary as 102: $(grep -E 'not applied|failed' "$log" | head -3)"
grep -q "IXFR from 127.0.0.1@$primary_port.*signed serial 102 published" "$log" ||
  fail "edit 104 was not taken by IXFR: $(grep 'signed serial 102' "$log")"
! grep -q "not applied" "$log" || fail "a transfer did not apply: $(grep 'not applied' "$log" | head -1)"
[[ $(upstream_serial) == 104 ]] || fail "/status upstream_serial is $(upstream_serial), not 104"
sys_delv_validate "$bind2_port" "$zone" "serial104.$zone" TXT
sys_delv_validate "$bind2_port" "$zone" "serial101.$zone" TXT
echo "primary_serial: ok"
