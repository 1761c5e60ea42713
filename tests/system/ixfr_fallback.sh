#!/usr/bin/env bash
# An IXFR that does not apply is followed by an AXFR from the same primary
# (REVIEW M1). Before, signerd logged "not applied" and asked the same IXFR
# at every refresh, for ever, with /healthz at 200.
#   fake_primary.py (badixfr: its IXFR deletes an RR the zone never had,
#   its AXFR is good) --> signerd.
# Checks: after a NOTIFY for the new serial, signerd serves it (taken by
# AXFR after the failed IXFR), it validates, /healthz stays 200 and
# /status shows no failed refresh rounds.
#   ixfr_fallback.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=fallback.test
fake_port=$(sys_free_port)
signer_port=$(sys_free_port)
http_port=$(sys_free_port)

echo "good 100" >"$SYS_WORK/fake.state"
python3 "$here/fake_primary.py" "$fake_port" "$SYS_WORK/fake.state" >"$SYS_WORK/fake.log" 2>&1 &
sys_track_pid $!
for _ in $(seq 1 50); do [[ -n $(sys_soa_serial "$fake_port" "$zone") ]] && break; sleep 0.1; done

step "SoftHSM2 token"
signerd_token
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" "$http_port")
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$fake_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: default
CONF
step "signerd on $signer_port signs 100"
signerd_start
sys_wait_serial "$signer_port" "$zone" 100 60 || fail "signerd did not serve the signed zone"

step "the primary moves to 101 with an IXFR that does not apply; a NOTIFY"
echo "badixfr 101" >"$SYS_WORK/fake.state"
python3 "$here/notify_flood.py" "$signer_port" "$zone" 101 10 0.3 >/dev/null
sys_wait_serial "$signer_port" "$zone" 101 20 ||
  fail "signerd did not take 101: $(grep -E 'not applied|AXFR|failed' "$log" | tail -3)"
grep -q "ixfr from 127.0.0.1@$fake_port not applied: diff removes an RR of nosuch.$zone. A" "$log" ||
  fail "the IXFR was not the one that does not apply: $(grep 'signed serial 101' "$log")"
grep -q "AXFR from 127.0.0.1@$fake_port (AXFR after IXFR .*signed serial 101 published" "$log" ||
  fail "101 was not taken by AXFR after the IXFR: $(grep 'signed serial 101' "$log")"
sys_delv_validate "$signer_port" "$zone" "$zone" SOA
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/healthz")
[[ $code == 200 ]] || fail "/healthz answered $code"
failed=$(curl -fsS "http://127.0.0.1:$http_port/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["zones"][0]["failed_refreshes"])')
[[ $failed == 0 ]] || fail "/status failed_refreshes is $failed"
echo "ixfr_fallback: ok"
