#!/usr/bin/env bash
# A ZSK rollover by pre-publication (RFC 6781 section 4.1.1.1), driven by
# the key state machine, watched from where users stand:
#   BIND primary --> signerd --> BIND secondary <-- validating BIND resolver
# The resolver trusts the zone's KSK (which does not roll here) and caches
# as resolvers do; a watcher asks it for a name and for a name that does not
# exist every 0.3 s from the first signing to the end.
# Policy: KSK unlimited, ZSK lifetime 90 s, dnskey-ttl 5 s, max-zone-ttl
# 10 s (the zone's TTLs are 10 s), zone-propagation-delay 2 s, safeties 2 s,
# signatures valid 5 min and refreshed 4 min before expiry, purge-keys 15 s.
# Checks: while the successor's DNSKEY spreads, the old ZSK still signs; the
# old ZSK's signatures are withdrawn only after that; the old ZSK ends hidden everywhere and purged
# (gone from the store and the token); a kill -9 in the middle of the roll
# resumes it; the secondary follows every serial; no answer from the
# resolver was ever SERVFAIL or lacked the AD bit (0 of N); no key event
# signs the whole zone (the new ZSK's signatures come in by the re-signing
# walk); dnssec-verify accepts the secondary's copy at the end.
#   zsk_rollover.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=roll.test
primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
http_port=$(sys_free_port)
bind2_port=$(sys_free_port)
resolver_port=$(sys_free_port)

cat >"$SYS_WORK/$zone.zone" <<ZONE
\$ORIGIN $zone.
\$TTL 10
@        SOA  ns1 hostmaster 2026120301 3600 600 86400 10
@        NS   ns1
ns1      A    127.0.0.1
www      A    192.0.2.80
mail     A    192.0.2.25
ZONE

step "BIND primary on $primary_port"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null
step "SoftHSM2 token"
signerd_token
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" "$http_port")
policies:
  - name: roll
    keys: [{role: ksk, lifetime: unlimited, algorithm: ecdsap256sha256},
           {role: zsk, lifetime: 90s, algorithm: ecdsap256sha256}]
    dnskey-ttl: 5s
    max-zone-ttl: 10s
    zone-propagation-delay: 2s
    publish-safety: 2s
    retire-safety: 2s
    purge-keys: 15s
    signatures-validity: 5m
    signatures-validity-dnskey: 5m
    signatures-refresh: 4m
    signatures-jitter: 0s
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: roll
CONF
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check

zsk_count() { # the ZSKs (flags 256) in the DNSKEY RRset at PORT
  dig +norec +nocmd +noall +answer -p "$1" @127.0.0.1 "$zone" DNSKEY | awk '$4 == "DNSKEY" && $5 == 256' | wc -l
}
two_zsks() { (($(zsk_count "$signer_port") >= 2)); }

step "signerd on $signer_port, BIND secondary on $bind2_port"
signerd_start
sys_wait_serial "$signer_port" "$zone" 2026120301 60 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 2026120301 || fail "the secondary did not load the signed zone"
first_zsk=$(signerd_status_keys "$http_port" "$zone" '[x["tag"] for x in k if x["role"] == "zsk"][0]')
echo "   first ZSK $first_zsk"

step "validating resolver on $resolver_port (trust anchor: the KSK), queried every 0.3 s"
sys_start_named_resolver resolver "$resolver_port" "$zone" "$bind2_port" "$(sys_trust_anchor "$signer_port" "$zone")"
sys_watch_resolver "$resolver_port" "$SYS_WORK/answers" "www.$zone A" "nxname.$zone A" &
watcher=$!
sys_track_pid "$watcher"

step "the successor ZSK is published; the old one signs on"
wait_until 150 "a second ZSK in signerd's DNSKEY RRset" two_zsks
second_zsk=$(signerd_status_keys "$http_port" "$zone" '[x["tag"] for x in k if x["role"] == "zsk" and x["tag"] != '"$first_zsk"'][0]')
echo "   successor ZSK $second_zsk published"
# No DS is at a parent here (the KSK's DS stays rumoured), so the state
# machine may let the successor sign at once (KASP.md section 1.4: no chain
# of trust yet); what keeps a resolver that trusts the KSK safe is that the
# old ZSK goes on signing until the successor's DNSKEY is in every cache.
[[ $(signerd_status_keys "$http_port" "$zone" '[x["records"]["zrrsig"] for x in k if x["tag"] == '"$first_zsk"'][0]') == omnipresent ]] ||
  fail "the old ZSK stopped signing before its successor's DNSKEY is everywhere"

step "kill -9 in the middle of the roll, then restart"
kill -9 "$signerd_pid"
wait "$signerd_pid" 2>/dev/null || true
signerd_start
sys_wait_serial "$signer_port" "$zone" 2026120301 30 || fail "signerd did not come back"

step "the roll completes: the old ZSK hidden everywhere, then purged"
old_gone() { [[ $(signerd_status_keys "$http_port" "$zone" "len([x for x in k if x['tag'] == $first_zsk])") == 0 ]]; }
wait_until 150 "ZSK $first_zsk purged" old_gone
grep -h "purged zsk $first_zsk" "$SYS_WORK"/signerd.*.log >/dev/null || fail "no purge logged for ZSK $first_zsk"
[[ $(signerd_status_keys "$http_port" "$zone" "[x['records']['zrrsig'] for x in k if x['tag'] == $second_zsk][0]") == omnipresent ]] ||
  fail "the new ZSK's signatures are not omnipresent at the end"
grep -h "zsk $first_zsk (id [0-9]*) zrrsig omnipresent -> unretentive" "$SYS_WORK"/signerd.*.log >/dev/null ||
  fail "the old ZSK's signatures were never withdrawn"
# The swap of signers is signed gradually: the key events' versions
# re-sign the apex, the re-signing walk the rest, and the walk's end is the
# observation the ZRRSIG waits count from.
grep -h "signatures of zsk $second_zsk (id [0-9]*) complete" "$SYS_WORK"/signerd.*.log >/dev/null ||
  fail "no re-signing walk completed the new ZSK's signatures"
grep -h "signatures of zsk $first_zsk (id [0-9]*) gone" "$SYS_WORK"/signerd.*.log >/dev/null ||
  fail "no re-signing walk saw the old ZSK's signatures gone"
if grep -h "key event (.*whole-zone pass" "$SYS_WORK"/signerd.*.log; then
  fail "a key event of the ZSK roll signed the whole zone"
fi
sys_wait_serial "$bind2_port" "$zone" "$(sys_soa_serial "$signer_port" "$zone")" 30 ||
  fail "the secondary did not follow"
sleep 2

kill "$watcher"
wait "$watcher" 2>/dev/null || true
sys_watch_report "$SYS_WORK/answers" 100 || fail "the resolver did not validate every answer during the roll"
file=$(sys_named_zone_file bind2 "$zone")
dnssec-verify -q -z -o "$zone" "$file" >"$SYS_WORK/verify.out" 2>&1 ||
  { cat "$SYS_WORK/verify.out"; fail "dnssec-verify rejects the secondary's copy"; }
echo "zsk_rollover: ok"
