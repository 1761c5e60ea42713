#!/usr/bin/env bash
# The operator's key verbs (issue 11's manual fallbacks) through the
# control socket: BIND primary --> signerd (one CSK, signerd_roll_policy's
# timings, no parental-agents) --> BIND secondary.
# Checks: the first DS waits at the parent step (the CDS is out, nothing
# can see the parent); `signerctl checkds published` lets it through (the
# audit line names the operator) and a second one is refused, there being
# no key left waiting; `signerctl step` is refused outside manual-mode;
# `signerctl rollover --role csk` starts a roll at once although the CSK's
# lifetime is unlimited: a successor appears and its DNSKEY is published;
# the secondary's copy passes dnssec-verify throughout.
#   key_verbs.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"
signerctl=$(dirname "$signerd_bin")/signerctl
[[ -x $signerctl ]] || fail "no signerctl beside $signerd_bin"

zone=verbs.test
primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
http_port=$(sys_free_port)
bind2_port=$(sys_free_port)
socket=$SYS_WORK/run/control.sock
mkdir -p "$SYS_WORK/run"
cat >"$SYS_WORK/$zone.zone" <<ZONE
\$ORIGIN $zone.
\$TTL 10
@        SOA  ns1 hostmaster 100 3600 600 86400 10
@        NS   ns1
ns1      A    127.0.0.1
www      A    192.0.2.1
ZONE
step "BIND primary on $primary_port; SoftHSM2 token"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null
signerd_token
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" "$http_port" | sed "/^  listen:/a\\  control: $socket")
policies:
$(signerd_roll_policy fast "[{role: csk, lifetime: unlimited, algorithm: ecdsap256sha256}]")
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: fast
CONF
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check
ctl() { "$signerctl" "$1" --config "$SYS_WORK/signerd.yaml" "${@:2}"; }
refused() { # EXPECTED_STDERR VERB ARGS... — the verb exits 1 saying EXPECTED_STDERR
  local expected=$1 err rc
  shift
  set +e
  err=$(ctl "$@" 2>&1 >/dev/null)
  rc=$?
  set -e
  [[ $rc == 1 && $err == "$expected" ]] || fail "signerctl $*: exit $rc, '$err'; expected 1, '$expected'"
}

step "signerd on $signer_port, BIND secondary on $bind2_port"
signerd_start
sys_wait_serial "$signer_port" "$zone" 100 60 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
csk=$(signerd_status_keys "$http_port" "$zone" '[x["tag"] for x in k][0]')
ds_state() { signerd_status_keys "$http_port" "$zone" "[x['records']['ds'] for x in k if x['tag'] == $csk][0]"; }
ds_rumoured() { [[ $(ds_state) == rumoured ]]; }
wait_until 30 "the CSK's DS asked of the parent (CDS out)" ds_rumoured
[[ -n $(dig +short +norec -p "$signer_port" @127.0.0.1 "$zone" CDS) ]] || fail "no CDS while the DS is rumoured"
sleep 2
ds_rumoured || fail "the DS moved on without anybody seeing the parent: $(ds_state)"

step "signerctl checkds published: the DS wait ends"
refused "signerctl checkds: zone $zone.: key 1 does not wait for its DS to be published at the parent" \
  checkds --zone "$zone" published --key 1
ctl checkds --zone "$zone" published | grep -q "DS published recorded for 1 key" || fail "checkds did not say so"
ds_omnipresent() { [[ $(ds_state) == omnipresent ]]; }
wait_until 20 "the DS omnipresent after parent-ds-ttl" ds_omnipresent
grep -q "DS of csk $csk (id [0-9]*) published at the parent, by the operator (signerctl checkds)" "$log" ||
  fail "the operator's checkds is not in the log"
refused "signerctl checkds: zone $zone.: no key waits for its DS to be published at the parent" \
  checkds --zone "$zone" published
refused "signerctl step: zone $zone.: policy fast is not in manual-mode: nothing waits for a step" step --zone "$zone"

step "signerctl rollover --role csk: a successor although the lifetime is unlimited"
ctl rollover --zone "$zone" --role csk | grep -q "rollover of the csk asked, its successor published now" ||
  fail "rollover did not say so"
two() { [[ $(signerd_status_keys "$http_port" "$zone" 'len(k)') == 2 ]]; }
wait_until 20 "a successor CSK" two
next=$(signerd_status_keys "$http_port" "$zone" '[x["tag"] for x in k if x["tag"] != '"$csk"'][0]')
dnskeys() { (($(dig +short +norec -p "$signer_port" @127.0.0.1 "$zone" DNSKEY | wc -l) == 2)); }
wait_until 20 "the successor $next's DNSKEY published" dnskeys
refused "signerctl rollover: rollover: argument 'role' must be ksk, zsk or csk" rollover --zone "$zone" --role kzk
final=$(sys_soa_serial "$signer_port" "$zone")
sys_wait_serial "$bind2_port" "$zone" "$final" 20 || fail "the secondary did not follow to $final"
file=$(sys_named_zone_file bind2 "$zone")
dnssec-verify -q -z -o "$zone" "$file" >"$SYS_WORK/verify.out" 2>&1 ||
  { cat "$SYS_WORK/verify.out"; fail "dnssec-verify rejects the secondary's copy"; }
echo "key_verbs: ok"
