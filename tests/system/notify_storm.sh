#!/usr/bin/env bash
# A stream of accepted NOTIFYs does not starve the signature refresh nor
# flood the log (REVIEW H3). Before, each NOTIFY queued a handler on the
# zone's strand and wrote a log line (79,988 lines for 79,987 packets in
# 20 s here), and a NOTIFY that came while a round ran made the next round
# skip the refresh. (On this machine the old binary still finished its
# pass at 4,000 NOTIFYs a second, enough rounds saw none; the refresh
# check guards the rule that a due refresh makes a slice every round.)
#   BIND primary --> signerd (signatures due 10 s after signing) --> BIND secondary,
#   and notify_flood.py sending NOTIFY from 127.0.0.1 naming a serial the
#   primary does not have.
# Checks, while the flood runs: the refresh pass completes and every RRSIG
# in signerd's AXFR expires later than any did before; a real change at
# the primary reaches the secondary; far fewer NOTIFY log lines than
# packets; then delv and dnssec-verify accept the result.
#   notify_storm.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=storm.test
names=3000
validity=40
refresh=30
rate=4000

primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
bind2_port=$(sys_free_port)

write_zone() { signerd_hosts_zone "$zone" "$1" "$names" "${2:-}"; } # SERIAL [EXTRA_LINE]
write_zone 2026120301

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
signerd_start
sys_wait_serial "$signer_port" "$zone" 2026120301 60 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 2026120301 || fail "the secondary did not load the signed zone"
latest_before=$(sys_axfr "$signer_port" "$zone" | awk '$4 == "RRSIG" {print $9}' | sort | tail -n 1)
[[ -n $latest_before ]] || fail "no RRSIG in signerd's AXFR"

step "$rate NOTIFYs a second naming serial 2026129999 while the refresh comes due"
python3 "$here/notify_flood.py" "$signer_port" "$zone" 2026129999 "$rate" 20 >"$SYS_WORK/flood.out" &
flood_pid=$!
sys_track_pid "$flood_pid"
sleep 2
write_zone 2026120302 'changed A 192.0.2.99'
sys_rndc primary reload "$zone" >/dev/null
refresh_done() { grep "signature refresh: serials" "$log" | grep -vq "to be continued"; }
wait_until 25 "the refresh pass completes under the flood" refresh_done
kill -0 "$flood_pid" 2>/dev/null || fail "the flood ended before the refresh did; the test proves nothing"
sys_wait_serial "$bind2_port" "$zone" "$(sys_soa_serial "$signer_port" "$zone")" 20 ||
  fail "the secondary did not follow signerd under the flood"
earliest_after=$(sys_axfr "$signer_port" "$zone" | awk '$4 == "RRSIG" {print $9}' | sort | awk 'NR == 1')
[[ $earliest_after > $latest_before ]] ||
  fail "an RRSIG expiring at $earliest_after was not refreshed (latest before: $latest_before)"
grep -q "IXFR from 127.0.0.1@$primary_port.*published" "$log" || fail "the change at the primary was not published"
wait "$flood_pid"
sent=$(cat "$SYS_WORK/flood.out")
logged=$(grep -c "NOTIFY from" "$log" || true)
echo "   $sent NOTIFYs sent, $logged logged; every RRSIG now expires at $earliest_after or later (before: at most $latest_before)"
((sent > 30000)) || fail "only $sent NOTIFYs were sent"
((logged * 10 < sent)) || fail "$logged NOTIFY log lines for $sent packets: not coalesced"
kill -0 "$signerd_pid" || fail "signerd died"
sys_delv_validate "$bind2_port" "$zone" "changed.$zone" A
sys_delv_validate "$bind2_port" "$zone" "h1234.$zone" A
sys_axfr "$signer_port" "$zone" >"$SYS_WORK/signed.zone"
dnssec-verify -q -z -o "$zone" "$SYS_WORK/signed.zone" >/dev/null 2>&1 || fail "dnssec-verify rejects signerd's zone"
echo "notify_storm: ok"
