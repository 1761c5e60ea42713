#!/usr/bin/env bash
# The middle box end to end, with real servers on loopback:
#   BIND primary --(TSIG, NOTIFY, AXFR then IXFR)--> signerd --(TSIG, NOTIFY)--> BIND and NSD secondaries
# Checks: the first signed zone reaches both secondaries and validates (delv
# with the zone's own DNSKEY as trust anchor, dnssec-verify and
# ldns-verify-zone on the secondaries' copies); a change at the primary
# reaches both by IXFR and holds exactly the primary's data; a wrong TSIG
# key is refused on both sides and changes nothing; NOTIFY from a stranger
# is refused; kill -9 and restart resume from the store without going back;
# /status and /healthz answer; /metrics passes promtool and agrees with the
# secondary.
#   middle_box.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=example.test

primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
http_port=$(sys_free_port)
bind2_port=$(sys_free_port)
nsd2_port=$(sys_free_port)

# Keys: one between primary and signerd, another between signerd and the secondaries.
up_secret=$(head -c 32 /dev/urandom | base64)
down_secret=$(head -c 32 /dev/urandom | base64)
umask 077
echo "$up_secret" >"$SYS_WORK/up.key"
echo "$down_secret" >"$SYS_WORK/down.key"
umask 022

write_zone() { # SERIAL EXTRA_LINES
  {
    cat <<ZONE
\$ORIGIN $zone.
\$TTL 300
@        SOA  ns1 hostmaster $1 3600 600 86400 300
@        NS   ns1
@        NS   ns2
@        MX   10 mail
ns1      A    127.0.0.1
ns2      A    127.0.0.2
mail     A    192.0.2.25
www      A    192.0.2.80
www      AAAA 2001:db8::80
*.wild   TXT  "wildcard"
sub      NS   ns.sub
ns.sub   A    192.0.2.53
a.b.c    TXT  "empty non-terminals above"
ZONE
    for i in $(seq 1 200); do echo "host$i A 198.51.100.$((i % 250 + 1))"; done
    printf '%s\n' "${@:2}"
  } >"$SYS_WORK/$zone.zone"
}
write_zone 2026112301

step "BIND primary on $primary_port (TSIG up-key, NOTIFY to signerd on $signer_port)"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" up-key hmac-sha256 "$up_secret" "$signer_port" >/dev/null

step "SoftHSM2 token"
signerd_token

cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" "$http_port")
tsig:
  - {name: up-key, algorithm: hmac-sha256, secret-file: $SYS_WORK/up.key}
  - {name: down-key, algorithm: hmac-sha256, secret-file: $SYS_WORK/down.key}
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port, key: up-key}]
    notify: [{address: 127.0.0.1@$bind2_port, key: down-key}, {address: 127.0.0.1@$nsd2_port, key: down-key}]
    allow-transfer: [{address: 127.0.0.1, key: down-key}]
    policy: default
CONF

step "signerd --check"
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check

start_signerd() {
  "$signerd_bin" --config "$SYS_WORK/signerd.yaml" >>"$SYS_WORK/signerd.log" 2>&1 &
  signerd_pid=$!
  sys_track_pid "$signerd_pid"
}
step "signerd on $signer_port"
start_signerd
sys_wait_serial "$signer_port" "$zone" 2026112301 60 || fail "signerd did not serve the signed zone"

step "secondaries: BIND on $bind2_port, NSD on $nsd2_port (TSIG down-key)"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" down-key hmac-sha256 "$down_secret" >/dev/null
sys_start_nsd_secondary nsd2 "$nsd2_port" "$zone" "$signer_port" down-key hmac-sha256 "$down_secret" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 2026112301
sys_wait_serial "$nsd2_port" "$zone" 2026112301

judge() { # SERIAL: validate both secondaries' copies with three judges
  local port copy
  for port in "$bind2_port" "$nsd2_port"; do
    sys_delv_validate "$port" "$zone" "www.$zone" A >/dev/null || fail "delv does not validate www.$zone A at $port"
    sys_delv_validate "$port" "$zone" "nothere.$zone" A >/dev/null ||
      fail "delv does not validate the denial of nothere.$zone at $port"
    copy=$SYS_WORK/copy-$port.zone
    dig +nocmd +nostats +nocomments +onesoa -p "$port" @127.0.0.1 "$zone" AXFR >"$copy"
    grep -q "SOA.*$1" "$copy" || fail "the copy at $port is not serial $1"
    dnssec-verify -q -z -o "$zone" "$copy" >/dev/null 2>&1 || { dnssec-verify -z -o "$zone" "$copy" || true; fail "dnssec-verify rejects the copy at $port"; }
    ldns-verify-zone "$copy" >/dev/null || fail "ldns-verify-zone rejects the copy at $port"
  done
}
step "the first signed zone validates on both secondaries"
judge 2026112301

# The unsigned data at the secondaries equals the primary's (DNSSEC records aside).
unsigned_view() { grep -vE ' IN (RRSIG|NSEC|NSEC3|NSEC3PARAM|DNSKEY|CDS|CDNSKEY|TSIG|SOA) '; }
same_data() {
  sys_axfr "$primary_port" "$zone" "hmac-sha256:up-key:$up_secret" | unsigned_view >"$SYS_WORK/p.txt"
  local port
  for port in "$bind2_port" "$nsd2_port"; do
    sys_axfr "$port" "$zone" | unsigned_view >"$SYS_WORK/s.txt"
    diff -u "$SYS_WORK/p.txt" "$SYS_WORK/s.txt" || fail "the secondary at $port does not hold the primary's data"
  done
}
same_data

step "a change at the primary reaches both secondaries by IXFR"
write_zone 2026112302 'new A 192.0.2.99' 'www TXT "changed"'
sed -i '/^host7 A/d' "$SYS_WORK/$zone.zone"
sys_rndc primary reload "$zone" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 2026112302 60
sys_wait_serial "$nsd2_port" "$zone" 2026112302 60
grep -q "IXFR from 127.0.0.1@$primary_port" "$SYS_WORK/signerd.log" || fail "signerd did not take the change by IXFR"
# BIND 9.18 does not name the kind; an IXFR carries the change, not the zone.
records=$(grep -oE "Transfer completed: [0-9]+ messages, [0-9]+ records.*serial 2026112302" "$SYS_WORK/bind2/named.log" |
  awk '{print $5}' | tail -n 1)
[[ -n $records && $records -lt 100 ]] || fail "the BIND secondary did not use IXFR (records: ${records:-none})"
ixfr_out=$(curl -fsS "http://127.0.0.1:$http_port/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["server"]["ixfr_out"])')
[[ $ixfr_out -ge 2 ]] || fail "signerd served $ixfr_out IXFRs, expected one per secondary"

step "/metrics passes promtool and agrees with what the secondary serves"
curl -fsS -D "$SYS_WORK/metrics.head" "http://127.0.0.1:$http_port/metrics" >"$SYS_WORK/metrics.txt"
grep -qi '^content-type: text/plain; version=0.0.4' "$SYS_WORK/metrics.head" || fail "/metrics: wrong Content-Type"
lint=$(promtool check metrics <"$SYS_WORK/metrics.txt" 2>&1) || fail "promtool check metrics: ${lint:-failed}"
[[ -z $lint ]] || fail "promtool check metrics: $lint"
metric() { # NAME: the sample of NAME for the zone
  awk -v want="$1{zone=\"$zone.\"}" '$1 == want {print $2}' "$SYS_WORK/metrics.txt"
}
seen=$(sys_soa_serial "$bind2_port" "$zone")
[[ $(metric signerd_zone_signed_serial) == "$seen" ]] ||
  fail "/metrics signed serial '$(metric signerd_zone_signed_serial)', the secondary serves '$seen'"
# Every RRSIG served (the secondary has them all) was made by this signerd,
# the first whole-zone signing included.
rrsigs=$(sys_axfr "$bind2_port" "$zone" | awk '$4 == "RRSIG"' | wc -l)
(($(metric signerd_zone_signatures_made_total) >= rrsigs)) ||
  fail "/metrics: $(metric signerd_zone_signatures_made_total) signatures made, $rrsigs RRSIGs served"
[[ $(metric signerd_zone_healthy) == 1 ]] || fail "/metrics: zone not healthy"
grep -q '^signerd_zone_transfers_in_total{zone="'"$zone"'.",kind="ixfr",result="ok"} [1-9]' "$SYS_WORK/metrics.txt" ||
  fail "/metrics: the IXFR in is not counted"
judge 2026112302
same_data

step "a wrong TSIG key is refused and changes nothing"
wrong=$(head -c 32 /dev/urandom | base64)
out=$(dig +tries=1 +time=2 -p "$signer_port" @127.0.0.1 -y "hmac-sha256:down-key:$wrong" "$zone" AXFR 2>&1 || true)
grep -qE "BADSIG|tsig verify failure|NOTAUTH|failed" <<<"$out" || fail "an AXFR with a wrong key was not refused: $out"
out=$(dig +tries=1 +time=2 -p "$signer_port" @127.0.0.1 "$zone" AXFR 2>&1 || true)
grep -qE "Transfer failed|REFUSED" <<<"$out" || fail "an unsigned AXFR was not refused: $out"
out=$(dig +tries=1 +time=2 +opcode=notify -p "$signer_port" @127.0.0.1 "$zone" SOA 2>&1 || true)
grep -qE "REFUSED|NOTAUTH" <<<"$out" || fail "an unsigned NOTIFY was not refused: $out"
[[ $(sys_soa_serial "$signer_port" "$zone") == 2026112302 ]] || fail "the serial moved after refused requests"

step "status and health"
curl -fsS "http://127.0.0.1:$http_port/status" >"$SYS_WORK/status.json"
python3 - "$SYS_WORK/status.json" "$zone" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
z = [z for z in doc["zones"] if z["zone"].rstrip(".") == sys.argv[2]][0]
assert z["signed_serial"] == 2026112302, z
assert z["upstream_serial"] == 2026112302, z
assert z["last_transfer_in"]["result"] == "ok", z
assert z["keys"] and z["keys"][0]["algorithm"] == 13, z
assert z["healthy"] is True, z
PY
curl -fsS "http://127.0.0.1:$http_port/healthz" | grep -q ok || fail "/healthz is not ok"

step "kill -9 and restart: resume from the store, no serial goes back"
kill -9 "$signerd_pid"
wait "$signerd_pid" 2>/dev/null || true
start_signerd
sys_wait_serial "$signer_port" "$zone" 2026112302 60
grep -q "resumed signed serial 2026112302" "$SYS_WORK/signerd.log" || fail "signerd did not resume from the store"
write_zone 2026112303 'new A 192.0.2.99' 'after TXT "restart"'
sys_rndc primary reload "$zone" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 2026112303 60
sys_wait_serial "$nsd2_port" "$zone" 2026112303 60
judge 2026112303
same_data

step "SIGTERM stops signerd cleanly"
kill -TERM "$signerd_pid"
for _ in $(seq 1 100); do kill -0 "$signerd_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$signerd_pid" 2>/dev/null && fail "signerd did not stop on SIGTERM"
grep -q "signerd stopped" "$SYS_WORK/signerd.log" || fail "signerd did not log its stop"
echo "PASS"
