#!/usr/bin/env bash
# The control socket and signerctl (issue 12): BIND primary --> signerd
# (server.control set) --> BIND secondary, driven by signerctl.
# Checks: `status --json` shows the zone's signed serial; `zones` lists it;
# `retransfer` makes an AXFR although the primary's serial is unchanged;
# `notify` reaches the secondary; `keys` lists the CSK through the daemon;
# a zone that is not configured is exit 1 with the reason; the socket is
# mode 0660 and goes with the daemon, after which the verbs exit 3 and
# `keys` reads the store instead.
#   control.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

signerctl=$(dirname "$signerd_bin")/signerctl
[[ -x $signerctl ]] || fail "no signerctl beside $signerd_bin"
zone=control.test
primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
bind2_port=$(sys_free_port)
socket=$SYS_WORK/run/control.sock
mkdir -p "$SYS_WORK/run"

cat >"$SYS_WORK/$zone.zone" <<ZONE
\$ORIGIN $zone.
\$TTL 300
@        SOA  ns1 hostmaster 100 3600 600 86400 300
@        NS   ns1
ns1      A    127.0.0.1
www      A    192.0.2.1
ZONE

step "BIND primary on $primary_port"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null
step "SoftHSM2 token"
signerd_token
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" | sed "/^  listen:/a\\  control: $socket")
policies:
  - name: p
    keys: [{role: csk, lifetime: unlimited, algorithm: ecdsap256sha256}]
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: p
CONF
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check
ctl() { "$signerctl" "$1" --config "$SYS_WORK/signerd.yaml" "${@:2}"; }

step "signerd on $signer_port with its control socket; BIND secondary on $bind2_port"
signerd_start
sys_wait_serial "$signer_port" "$zone" 100 60 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 100 || fail "the secondary did not load the signed zone"
[[ -S $socket ]] || fail "no control socket at $socket"
[[ $(stat -c %a "$socket") == 660 ]] || fail "control socket mode $(stat -c %a "$socket"), not 660"

step "signerctl status --json, status, zones"
json=$(ctl status --json --zone "$zone")
serial=$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); assert r["ok"]; print(r["zones"][0]["signed_serial"])' "$json")
[[ $serial == 100 ]] || fail "status --json: signed serial '$serial', not 100: $json"
ctl status | grep -q "^$zone.: healthy" || fail "status: $(ctl status)"
zones=$(ctl zones)
grep -Eq "^$zone\. +100 +100 +healthy" <<<"$zones" || fail "zones: $zones"

step "signerctl keys lists the CSK through the daemon"
keys=$(ctl keys --zone "$zone")
grep -Eq "^[0-9]+ +ECDSAP256SHA256 +csk " <<<"$keys" || fail "keys: $keys"
ctl keys --zone "$zone" --json | grep -q '"role":"csk"' || fail "keys --json: $(ctl keys --zone "$zone" --json)"

step "signerctl retransfer: an AXFR although serial 100 is unchanged at the primary"
count() { grep -c "$1" "$2" || true; } # PATTERN FILE
axfrs=$(count "AXFR from 127.0.0.1@$primary_port" "$log")
more_axfrs() { (($(count "AXFR from 127.0.0.1@$primary_port" "$log") > axfrs)); }
ctl retransfer --zone "$zone" | grep -q "AXFR from the primaries asked" || fail "retransfer did not say so"
wait_until 10 "a second AXFR" more_axfrs
grep -q "control: uid $(id -u): retransfer zone $zone." "$log" || fail "the retransfer was not logged with the uid"
# The whole zone again is a new version (serial 101) that reaches the secondary.
sys_wait_serial "$bind2_port" "$zone" 101 20 || fail "the retransferred zone did not reach the secondary"

step "signerctl notify: the secondary gets a NOTIFY again"
named2_log=$SYS_WORK/bind2/named.log
notifies=$(count "received notify for zone '$zone'" "$named2_log")
more_notifies() { (($(count "received notify for zone '$zone'" "$named2_log") > notifies)); }
out=$(ctl notify --zone "$zone") || fail "notify: exit $?"
[[ $out == "zone $zone.: NOTIFY of serial 101 to 1 secondary" ]] || fail "notify said: $out"
wait_until 10 "the secondary logs the NOTIFY" more_notifies

step "a zone that is not configured: exit 1 with the reason"
set +e
err=$(ctl retransfer --zone nope.test 2>&1 >/dev/null)
rc=$?
set -e
[[ $rc == 1 ]] || fail "retransfer of nope.test: exit $rc, not 1"
[[ $err == "signerctl retransfer: zone nope.test.: not configured" ]] || fail "retransfer of nope.test said: $err"
set +e
ctl retransfer >/dev/null 2>&1
rc=$?
set -e
[[ $rc == 2 ]] || fail "retransfer without --zone: exit $rc, not 2"

step "signerctl reload"
ctl reload | grep -q "config reloaded from" || fail "reload: $(ctl reload 2>&1)"

step "signerd stopped: the socket is gone, the verbs exit 3"
kill -TERM "$signerd_pid"
wait "$signerd_pid" 2>/dev/null || true
[[ ! -e $socket ]] || fail "the control socket outlived the daemon"
set +e
err=$(ctl status 2>&1)
rc=$?
set -e
[[ $rc == 3 ]] || fail "status with signerd stopped: exit $rc, not 3 ($err)"
[[ $err == "signerd is not running: no control socket at $socket" ]] || fail "status with signerd stopped: $err"
# keys falls back to the store when no daemon runs (the key's URI last).
keys=$(ctl keys --zone "$zone") || fail "keys offline: exit $?"
grep -Eq "^[0-9]+ +ECDSAP256SHA256 +csk .*pkcs11:" <<<"$keys" || fail "keys offline: $keys"
echo "control: ok"
