#!/usr/bin/env bash
# The parent in the loop: the first DS and a KSK rollover (double-KSK, RFC
# 6781 section 4.1.2), each step waiting for what the parent was seen to
# publish, watched by a resolver that trusts only the parent.
#   BIND primary --> signerd --> BIND secondary (roll.test)
#   BIND parent (test., signed by BIND's dnssec-policy, DS by UPDATE)
#   validating BIND resolver: trust anchor the parent's KSK only
# A registry loop copies the child's CDS into the parent's DS RRset (by
# TSIG-signed UPDATE, TTL 5 s), as a parent that accepts CDS would (RFC
# 7344, RFC 8078); signerd asks the parent for the DS (parental-agents, TSIG)
# and moves on only when it is seen.
# Checks: the first CDS appears only after the zone's DNSKEY and signatures
# are omnipresent; the DS seen makes the zone secure (AD at the resolver);
# at the KSK's lifetime the successor's DNSKEY comes first, its CDS next,
# then the DS swap, then the old KSK goes; a kill -9 in the middle resumes;
# from the first secure answer to the end the resolver never answers
# without AD or with SERVFAIL (0 of N); dnssec-verify accepts the result.
# With `csk` the zone has one CSK (lifetime 90 s) instead of a KSK (70 s)
# and a ZSK, and the same checks hold for the CSK roll (the DS swap and the
# ZRRSIG swap both).
#   ksk_rollover.sh SIGNERD_BINARY [ksk|csk]
source "$(dirname "$0")/prelude.sh" "$@"
role=${2:-ksk}
case $role in
  ksk) keys="[{role: ksk, lifetime: 70s, algorithm: ecdsap256sha256}, {role: zsk, lifetime: unlimited, algorithm: ecdsap256sha256}]" ;;
  csk) keys="[{role: csk, lifetime: 90s, algorithm: ecdsap256sha256}]" ;;
  alg | insecure) keys="[{role: csk, lifetime: unlimited, algorithm: ecdsap256sha256}]" ;;
  *) fail "role $role: ksk, csk, alg or insecure" ;;
esac
# `insecure`: the way back to unsigned (KASP.md, RFC 8078 section 4): the
# policy's key list becomes [] (SIGHUP; the built-in "insecure" is the same
# on the default timings, days); CDS and CDNSKEY become
# the DELETE form, the registry removes the DS, signerd sees it withdrawn,
# waits out the DS TTL, then serves the zone without DNSKEY, RRSIG or NSEC;
# the resolver never answers SERVFAIL (answers without AD are allowed only
# in this mode, from the SIGHUP on).
# `alg`: an algorithm rollover (RFC 6781 section 4.1.4) of that CSK from
# ECDSAP256SHA256 (13) to ED25519 (15) by a policy change and SIGHUP, in
# the default conservative order (signatures of the new algorithm before
# its DNSKEY, the old DNSKEY before its signatures).
key_role=$role
[[ $role == alg || $role == insecure ]] && key_role=csk

zone=roll.test
parent=test
primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
http_port=$(sys_free_port)
bind2_port=$(sys_free_port)
parent_port=$(sys_free_port)
resolver_port=$(sys_free_port)
parent_secret=$(head -c 32 /dev/urandom | base64)
umask 077
echo "$parent_secret" >"$SYS_WORK/parent.key"
umask 022

cat >"$SYS_WORK/$zone.zone" <<ZONE
\$ORIGIN $zone.
\$TTL 10
@        SOA  ns1 hostmaster 2026120301 3600 600 86400 10
@        NS   ns1
ns1      A    127.0.0.1
www      A    192.0.2.80
ZONE

step "BIND parent for $parent. on $parent_port (signed by dnssec-policy, DS by UPDATE with parent-key)"
mkdir -p "$SYS_WORK/parent"
cat >"$SYS_WORK/parent/$parent.db" <<ZONE
\$ORIGIN $parent.
\$TTL 10
@        SOA  ns hostmaster 1 3600 600 86400 10
@        NS   ns
ns       A    127.0.0.1
$zone.   NS   ns1.$zone.
ns1.$zone. A  127.0.0.1
ZONE
{
  sys__named_common "$SYS_WORK/parent" "$parent_port" "$(sys_free_port)" parent-key hmac-sha256 "$parent_secret"
  cat <<CONF
  notify no;
  allow-transfer { any; };
};
dnssec-policy "fast" {
  keys { csk lifetime unlimited algorithm ecdsap256sha256; };
  dnskey-ttl 10; max-zone-ttl 10; zone-propagation-delay 1; publish-safety 1; retire-safety 1;
};
zone "$parent" { type primary; file "$SYS_WORK/parent/$parent.db"; dnssec-policy "fast"; inline-signing no;
  allow-update { key "parent-key"; }; key-directory "$SYS_WORK/parent"; };
CONF
} >"$SYS_WORK/parent/named.conf"
sys__start_named parent "$SYS_WORK/parent" || fail "parent did not start"
for _ in $(seq 1 100); do
  dig +short +norec -p "$parent_port" @127.0.0.1 "$parent" DNSKEY | grep -q '^257 ' && break
  sleep 0.2
done
dig +short +norec -p "$parent_port" @127.0.0.1 "$parent" DNSKEY | grep -q '^257 ' || fail "the parent is not signed"

step "BIND primary on $primary_port; SoftHSM2 token"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null
signerd_token
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" "$http_port")
tsig:
  - {name: parent-key, algorithm: hmac-sha256, secret-file: $SYS_WORK/parent.key}
policies:
$(signerd_roll_policy kroll "$keys")
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    parental-agents: [{address: 127.0.0.1@$parent_port, key: parent-key}]
    policy: kroll
CONF
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check

cds_of() { dig +short +norec -p "$signer_port" @127.0.0.1 "$zone" CDS | sort; }
ds_at_parent() { dig +short +norec -p "$parent_port" @127.0.0.1 "$zone" DS | sort; }

# The registry: the parent's DS RRset follows the child's CDS RRset.
registry() {
  set +e
  local cds ds
  while :; do
    cds=$(cds_of)
    ds=$(ds_at_parent)
    if [[ $cds == "0 0 0 00" && -n $ds ]]; then # RFC 8078 section 4: remove the DS
      printf 'server 127.0.0.1 %s\nzone %s.\nupdate delete %s. DS\nsend\n' "$parent_port" "$parent" "$zone" |
        nsupdate -y "hmac-sha256:parent-key:$parent_secret" && echo "$(date +%T) DS deleted (CDS DELETE)" >>"$SYS_WORK/registry.log"
    elif [[ -n $cds && $cds != "0 0 0 00" && $cds != "$ds" ]]; then
      {
        echo "server 127.0.0.1 $parent_port"
        echo "zone $parent."
        echo "update delete $zone. DS"
        while read -r line; do echo "update add $zone. 5 DS $line"; done <<<"$cds"
        echo "send"
      } | nsupdate -y "hmac-sha256:parent-key:$parent_secret" && echo "$(date +%T) DS := $(tr '\n' ' ' <<<"$cds")" >>"$SYS_WORK/registry.log"
    fi
    sleep 0.5
  done
}

step "signerd on $signer_port, BIND secondary on $bind2_port, the registry"
signerd_start
sys_wait_serial "$signer_port" "$zone" 2026120301 60 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
registry &
sys_track_pid $!
first_ksk=$(signerd_status_keys "$http_port" "$zone" '[x["tag"] for x in k if x["role"] == "'"$key_role"'"][0]')
[[ -z $(cds_of) ]] || fail "CDS published with the first signing, before the DNSKEY and signatures are everywhere"

step "the first DS: CDS, the registry's UPDATE, signerd sees it"
wait_until 60 "CDS for KSK $first_ksk" bash -c "[[ -n \$(dig +short +norec -p $signer_port @127.0.0.1 $zone CDS) ]]"
ds_seen() { [[ $(signerd_status_keys "$http_port" "$zone" "[x['records']['ds'] for x in k if x['tag'] == $first_ksk][0]") == omnipresent ]]; }
wait_until 60 "KSK $first_ksk's DS omnipresent" ds_seen
grep -q "DS of $key_role $first_ksk (id [0-9]*) published at every parental-agent address" "$log" ||
  fail "signerd did not log the DS it saw"

step "validating resolver on $resolver_port (trust anchor: the parent's KSK only)"
sys_start_named_resolver resolver "$resolver_port" "$zone" "$bind2_port" "$(sys_trust_anchor "$parent_port" "$parent")"
cat >>"$SYS_WORK/resolver/named.conf" <<CONF
zone "$parent" { type forward; forward only; forwarders { 127.0.0.1 port $parent_port; }; };
CONF
kill -HUP "$(cat "$SYS_WORK/resolver/pid")"
sleep 1
secure() { dig +dnssec +time=2 +tries=1 -p "$resolver_port" @127.0.0.1 "www.$zone" A | grep -qE 'flags:[^;]* ad[ ;]'; }
wait_until 30 "the resolver validates www.$zone through the parent" secure
[[ $role == insecure ]] && export SYS_WATCH_INSECURE_OK=1
sys_watch_resolver "$resolver_port" "$SYS_WORK/answers" "www.$zone A" "nxname.$zone A" &
watcher=$!
sys_track_pid "$watcher"

if [[ $role == insecure ]]; then
  step "the policy's key list becomes [] (SIGHUP): CDS DELETE, the DS goes, then DNSSEC"
  sed -i 's/^    keys: .*/    keys: []/' "$SYS_WORK/signerd.yaml"
  "$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check >/dev/null
  kill -HUP "$signerd_pid"
  cds_delete() { [[ $(cds_of) == "0 0 0 00" ]]; }
  wait_until 30 "CDS DELETE published" cds_delete
  [[ $(dig +short +norec -p "$signer_port" @127.0.0.1 "$zone" CDNSKEY) == "0 3 0 AA==" ]] ||
    fail "CDNSKEY is not the DELETE form: $(dig +short +norec -p "$signer_port" @127.0.0.1 "$zone" CDNSKEY)"
  [[ -n $(dig +short +norec -p "$signer_port" @127.0.0.1 "$zone" DNSKEY) ]] ||
    fail "the DNSKEY went before the DS was withdrawn"
  no_ds() { [[ -z $(ds_at_parent) ]]; }
  wait_until 30 "the registry removed the DS" no_ds
  unsigned() { [[ -z $(dig +short +norec -p "$signer_port" @127.0.0.1 "$zone" DNSKEY) ]]; }
  wait_until 60 "the zone served without DNSKEY" unsigned
  grep -q "DS of csk $first_ksk (id [0-9]*) withdrawn at every parental-agent address" "$log" ||
    fail "signerd did not see the DS withdrawn before removing the DNSKEY"
  axfr=$(sys_axfr "$signer_port" "$zone")
  ! grep -qE '[[:space:]](RRSIG|NSEC|NSEC3|NSEC3PARAM|DNSKEY|CDS|CDNSKEY)[[:space:]]' <<<"$axfr" ||
    fail "DNSSEC records left in the unsigned zone: $(grep -E 'RRSIG|NSEC|DNSKEY|CDS' <<<"$axfr" | head -3)"
  final=$(sys_soa_serial "$signer_port" "$zone")
  sys_wait_serial "$bind2_port" "$zone" "$final" 30 || fail "the secondary did not follow to the unsigned $final"
  no_keys() { [[ $(signerd_status_keys "$http_port" "$zone" 'len(k)') == 0 ]]; }
  wait_until 60 "keys purged" no_keys
  # A change from the primary once unsigned: served as the primary's own diff.
  sed -i 's/2026120301/2026120302/' "$SYS_WORK/$zone.zone"
  echo "after A 192.0.2.81" >>"$SYS_WORK/$zone.zone"
  sys_rndc primary reload "$zone" >/dev/null
  after_at_secondary() { [[ $(dig +short +norec -p "$bind2_port" @127.0.0.1 "after.$zone" A) == 192.0.2.81 ]]; }
  wait_until 30 "a change made once unsigned reaches the secondary" after_at_secondary
  ! grep -q "after.$zone.*RRSIG\|whole-zone pass" <(grep "IXFR from" "$log") || fail "the unsigned change was not a plain diff"
  sleep 3
  kill "$watcher"
  wait "$watcher" 2>/dev/null || true
  cat "$SYS_WORK/registry.log"
  sys_watch_report "$SYS_WORK/answers" 40 || fail "the resolver failed an answer while the zone went unsigned"
  ! dig +dnssec +time=2 +tries=1 -p "$resolver_port" @127.0.0.1 "www.$zone" A | grep -qE 'flags:[^;]* ad[ ;]' ||
    fail "the resolver still calls the unsigned zone secure"
  echo "ksk_rollover ($role): ok"
  exit 0
fi

step "the roll: the successor's DNSKEY first"
two_ksks() { (($(signerd_status_keys "$http_port" "$zone" "len([x for x in k if x['role'] == '$key_role'])") >= 2)); }
if [[ $role == alg ]]; then
  step "the policy changes to ED25519 (SIGHUP)"
  sed -i 's/algorithm: ecdsap256sha256}]/algorithm: ed25519}]/' "$SYS_WORK/signerd.yaml"
  "$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check >/dev/null
  kill -HUP "$signerd_pid"
fi
wait_until 120 "a successor KSK" two_ksks
second_ksk=$(signerd_status_keys "$http_port" "$zone" '[x["tag"] for x in k if x["role"] == "'"$key_role"'" and x["tag"] != '"$first_ksk"'][0]')
echo "   successor KSK $second_ksk"
[[ $(signerd_status_keys "$http_port" "$zone" "[x['records']['ds'] for x in k if x['tag'] == $second_ksk][0]") == hidden ]] ||
  fail "the successor's DS is asked for before its DNSKEY is everywhere"

step "kill -9 in the middle of the roll, then restart"
kill -9 "$signerd_pid"
wait "$signerd_pid" 2>/dev/null || true
signerd_start
sys_wait_serial "$signer_port" "$zone" 2026120301 30 || fail "signerd did not come back"

step "the DS swap at the parent, then the old KSK goes"
old_gone() { [[ $(signerd_status_keys "$http_port" "$zone" "len([x for x in k if x['tag'] == $first_ksk])") == 0 ]]; }
wait_until 150 "KSK $first_ksk purged" old_gone
[[ $(ds_at_parent | wc -l) -ge 1 && -z $(ds_at_parent | awk -v t="$first_ksk" '$1 == t') ]] ||
  fail "the parent still has the old KSK's DS: $(ds_at_parent)"
grep -h "DS of $key_role $first_ksk (id [0-9]*) withdrawn at every parental-agent address" "$SYS_WORK"/signerd.*.log >/dev/null ||
  fail "signerd did not see the old DS withdrawn"
sys_wait_serial "$bind2_port" "$zone" "$(sys_soa_serial "$signer_port" "$zone")" 30 || fail "the secondary did not follow"
sleep 3

kill "$watcher"
wait "$watcher" 2>/dev/null || true
cat "$SYS_WORK/registry.log"
sys_watch_report "$SYS_WORK/answers" 100 || fail "the resolver did not validate every answer during the roll"
# A KSK or CSK roll keeps the zone signers' algorithm: every key event
# re-signs the apex (and the walk the rest), never the whole zone at once.
if [[ $role == ksk || $role == csk ]] && grep -h "key event (.*whole-zone pass" "$SYS_WORK"/signerd.*.log; then
  fail "a key event of the $role roll signed the whole zone"
fi
file=$(sys_named_zone_file bind2 "$zone")
dnssec-verify -q -z -o "$zone" "$file" >"$SYS_WORK/verify.out" 2>&1 ||
  { cat "$SYS_WORK/verify.out"; fail "dnssec-verify rejects the secondary's copy"; }
echo "ksk_rollover ($role): ok"
