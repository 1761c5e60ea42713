#!/usr/bin/env bash
# Signature refresh in slices: the signatures of a 20,000-name zone come due
# all at once (signatures-validity 2m, refresh 90s, no jitter: 30 s after
# the first signing). signerd re-signs them in slices of 1,000 names, each
# signed off the zone's strand and committed as a serial of its own, never
# in one whole-zone pass, and a change
# made at the primary once the refresh has begun is published before the
# refresh ends, not after it.
#   BIND primary --> signerd --> BIND secondary
# Checks: the log's refresh serials (incremental, more than one, no
# whole-zone pass); the change's IXFR published between two refresh
# serials; every RRSIG in signerd's AXFR expires later than before the
# refresh; the secondary follows; delv and dnssec-verify accept the result.
#   refresh_slices.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=slices.test
names=20000
validity=120
refresh=90

primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
bind2_port=$(sys_free_port)

write_zone() { signerd_hosts_zone "$zone" "$1" "$names" "${2:-}"; } # SERIAL [EXTRA_LINE]
write_zone 2026112301

step "BIND primary on $primary_port ($names names)"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null

step "SoftHSM2 token"
signerd_token

cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port")
$(signerd_short_policy "$validity" "$refresh")
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: short
CONF

step "signerd on $signer_port, BIND secondary on $bind2_port"
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" >>"$SYS_WORK/signerd.log" 2>&1 &
sys_track_pid "$!"
sys_wait_serial "$signer_port" "$zone" 2026112301 120 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 2026112301 60

# Every RRSIG expiration in signerd's AXFR, as epoch seconds, sorted.
expirations() {
  sys_axfr "$signer_port" "$zone" | awk '$4 == "RRSIG" {print $9}' | python3 -c '
import calendar, sys, time
for line in sys.stdin: print(calendar.timegm(time.strptime(line.strip(), "%Y%m%d%H%M%S")))' | sort -n
}
latest_before=$(expirations | tail -n 1)
[[ -n $latest_before ]] || fail "no RRSIG in signerd's AXFR"

step "waiting for the refresh ($((validity - refresh)) s after signing)"
for _ in $(seq 1 120); do
  grep -q "signature refresh: signed serial" "$SYS_WORK/signerd.log" && break
  sleep 0.5
done
grep -q "signature refresh: signed serial" "$SYS_WORK/signerd.log" || fail "no refresh serial within 60 s"

step "a change at the primary while the refresh runs"
write_zone 2026112302 'changed A 192.0.2.99'
sys_rndc primary reload "$zone" >/dev/null
# The pass is complete when a summary line does not say it goes on.
refresh_done() { grep "signature refresh: serials" "$SYS_WORK/signerd.log" | grep -vq "to be continued"; }
for _ in $(seq 1 240); do
  refresh_done && grep -q "IXFR from" "$SYS_WORK/signerd.log" && break
  sleep 0.5
done
refresh_done || fail "the refresh did not finish"
grep -q "IXFR from 127.0.0.1@$primary_port" "$SYS_WORK/signerd.log" || fail "the change was not taken by IXFR"

# The lines that published a serial, in order: R = a refresh slice, C = the change.
order=$(grep -E "published \(" "$SYS_WORK/signerd.log" | grep -E "signature refresh:|IXFR from" |
  sed -E 's/.*signature refresh: .*/R/; s/.*IXFR from .*/C/' | tr -d '\n')
echo "   serials published: $order (R: refresh slice, C: the change)"
slices=$(grep -o R <<<"$order" | wc -l)
((slices >= 2)) || fail "the refresh took $slices serial(s), expected slices"
[[ $order == *R*C*R* ]] || fail "the change waited for the whole refresh ($order)"
if grep -E "signature refresh: signed serial" "$SYS_WORK/signerd.log" | grep -q "whole-zone pass"; then
  fail "a refresh serial was a whole-zone pass"
fi

step "the result"
final=$(sys_soa_serial "$signer_port" "$zone")
sys_wait_serial "$bind2_port" "$zone" "$final" 60 || fail "the secondary did not follow to $final"
expirations >"$SYS_WORK/after.txt"
earliest_after=$(head -n 1 "$SYS_WORK/after.txt")
((earliest_after > latest_before)) ||
  fail "an RRSIG expiring at $earliest_after was not refreshed (latest before the refresh: $latest_before)"
echo "   $slices refresh serials; every RRSIG now expires after $earliest_after (before: at most $latest_before)"
sys_delv_validate "$bind2_port" "$zone" "changed.$zone" A >/dev/null || fail "delv does not validate the change"
sys_delv_validate "$bind2_port" "$zone" "h1234.$zone" A >/dev/null || fail "delv does not validate a refreshed name"
dig +nocmd +nostats +nocomments +onesoa -p "$signer_port" @127.0.0.1 "$zone" AXFR >"$SYS_WORK/signed.zone"
dnssec-verify -q -z -o "$zone" "$SYS_WORK/signed.zone" >/dev/null 2>&1 || {
  dnssec-verify -z -o "$zone" "$SYS_WORK/signed.zone" || true
  fail "dnssec-verify rejects signerd's zone"
}
echo "PASS"
