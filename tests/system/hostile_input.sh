#!/usr/bin/env bash
# Hostile input against a running signerd, with a fake primary
# (fake_primary.py) that first serves a good zone and then misbehaves:
#   - garbage UDP datagrams and TCP streams (garbage.py): signerd keeps answering;
#   - NOTIFY from strangers: another source address, unsigned or with a wrong
#     key where a key is required, for a zone not served: REFUSED / NOTAUTH;
#   - a primary whose AXFR never ends, and one whose zone is over max-records:
#     the transfer is refused, logged with zone and peer, shown in /status
#     (last_transfer_in.result, errors), and the served zone and serial stay;
#   - afterwards a good transfer still goes through.
#   hostile_input.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=fake.test
keyed=keyed.test

fake_port=$(sys_free_port)
signer_port=$(sys_free_port)
http_port=$(sys_free_port)

up_secret=$(head -c 32 /dev/urandom | base64)
umask 077
echo "$up_secret" >"$SYS_WORK/up.key"
umask 022

step "fake primary on $fake_port"
echo "good 2026112301" >"$SYS_WORK/fake.state"
python3 "$here/fake_primary.py" "$fake_port" "$SYS_WORK/fake.state" >"$SYS_WORK/fake.log" 2>&1 &
sys_track_pid $!
for _ in $(seq 1 50); do [[ -n $(sys_soa_serial "$fake_port" "$zone") ]] && break; sleep 0.1; done
[[ $(sys_soa_serial "$fake_port" "$zone") == 2026112301 ]] || fail "the fake primary does not answer"

step "SoftHSM2 token"
signerd_token

# keyed.test names the fake as a primary that must sign with up-key; the
# fake signs nothing, so its answers for that zone must never be taken.
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" "$http_port")
tsig:
  - {name: up-key, algorithm: hmac-sha256, secret-file: $SYS_WORK/up.key}
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$fake_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: default
    max-records: 1000
    max-transfer-size: 200000
  - name: $keyed
    primaries: [{address: 127.0.0.1@$fake_port, key: up-key}]
    policy: default
CONF
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check

step "signerd on $signer_port takes the good zone"
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" >>"$SYS_WORK/signerd.log" 2>&1 &
signerd_pid=$!
sys_track_pid "$signerd_pid"
sys_wait_serial "$signer_port" "$zone" 2026112301 60 || fail "signerd did not serve the signed zone"
sys_axfr "$signer_port" "$zone" >"$SYS_WORK/before.txt"
grep -q ' RRSIG ' "$SYS_WORK/before.txt" || fail "the served zone is not signed"

alive() { # signerd still runs and answers
  kill -0 "$signerd_pid" 2>/dev/null || fail "signerd died ($1)"
  [[ $(sys_soa_serial "$signer_port" "$zone") == "$2" ]] || fail "signerd does not answer serial $2 ($1)"
}
status_json() { curl -fsS "http://127.0.0.1:$http_port/status"; }
# zone_field ZONE PYTHON_EXPR(z) — evaluates an expression on the zone's status.
zone_field() {
  status_json | python3 -c '
import json, sys
z = [z for z in json.load(sys.stdin)["zones"] if z["zone"].rstrip(".") == sys.argv[1]][0]
print(eval(sys.argv[2]))' "$1" "$2"
}

step "garbage over UDP and TCP"
python3 "$here/garbage.py" "$signer_port"
alive "after garbage" 2026112301
python3 "$here/garbage.py" "$signer_port"
alive "after garbage twice" 2026112301
dig +tcp +short -p "$signer_port" @127.0.0.1 "$zone" SOA | grep -q 2026112301 || fail "no SOA over TCP after garbage"

step "NOTIFY from strangers"
expect_notify() { # WANT_REGEX DESCRIPTION DIG_ARGS...
  local want=$1 what=$2 out
  shift 2
  out=$(dig +tries=1 +time=2 +opcode=notify -p "$signer_port" @127.0.0.1 "$@" 2>&1 || true)
  grep -qE "$want" <<<"$out" || fail "NOTIFY $what was not refused ($want): $out"
}
expect_notify "status: REFUSED" "from another address" -b 127.0.0.2 "$zone" SOA
expect_notify "status: REFUSED" "unsigned where a key is required" "$keyed" SOA
wrong=$(head -c 32 /dev/urandom | base64)
expect_notify "NOTAUTH|BADSIG|tsig verify failure" "with a wrong key" -y "hmac-sha256:up-key:$wrong" "$keyed" SOA
expect_notify "NOTAUTH|BADKEY|tsig verify failure" "with an unknown key" -y "hmac-sha256:other-key:$wrong" "$keyed" SOA
expect_notify "NOTAUTH|REFUSED" "for a zone not served" "nothere.test" SOA
grep -q "zone $zone.*NOTIFY from 127.0.0.2 refused" "$SYS_WORK/signerd.log" || fail "the stranger's NOTIFY was not logged"
alive "after stranger NOTIFYs" 2026112301

step "a primary that signs nothing is never taken where a key is required"
[[ $(zone_field "$keyed" 'z["signed_serial"]') == None ]] || fail "$keyed took unsigned data from the fake"
[[ $(zone_field "$keyed" 'len(z["errors"]) > 0') == True ]] || fail "$keyed shows no error"
[[ -z $(sys_soa_serial "$signer_port" "$keyed") ]] || fail "$keyed is served"

# misbehave MODE SERIAL NAME: the fake turns MODE with SERIAL, NOTIFY makes
# signerd try; the transfer must fail and change nothing.
misbehave() {
  local mode=$1 serial=$2 name=$3 before_errors result=""
  before_errors=$(grep -c "zone $zone.*transfer from 127.0.0.1@$fake_port failed" "$SYS_WORK/signerd.log" || true)
  echo "$mode $serial" >"$SYS_WORK/fake.state"
  dig +tries=1 +time=2 +opcode=notify -p "$signer_port" @127.0.0.1 "$zone" SOA | grep -q "status: NOERROR" ||
    fail "signerd did not take the primary's NOTIFY"
  for _ in $(seq 1 150); do
    (($(grep -c "zone $zone.*transfer from 127.0.0.1@$fake_port failed" "$SYS_WORK/signerd.log" || true) > before_errors)) && break
    sleep 0.2
  done
  grep "zone $zone.*transfer from 127.0.0.1@$fake_port failed" "$SYS_WORK/signerd.log" | tail -n 1 | tee "$SYS_WORK/$name.err" |
    grep -q . || fail "$name: no transfer error logged with zone and peer"
  (($(grep -c "zone $zone.*transfer from 127.0.0.1@$fake_port failed" "$SYS_WORK/signerd.log") > before_errors)) ||
    fail "$name: the transfer did not fail"
  echo "   logged: $(cat "$SYS_WORK/$name.err")"
  result=$(zone_field "$zone" 'z["last_transfer_in"]["result"]')
  [[ -n $result && $result != ok ]] || fail "$name: /status last_transfer_in.result is '$result'"
  [[ $(zone_field "$zone" 'z["last_transfer_in"]["peer"]') == "127.0.0.1@$fake_port" ]] ||
    fail "$name: /status does not name the peer"
  [[ $(zone_field "$zone" 'any("transfer from 127.0.0.1@'"$fake_port"' failed" in e for e in z["errors"])') == True ]] ||
    fail "$name: /status errors do not show the failure"
  [[ $(zone_field "$zone" 'z["signed_serial"]') == 2026112301 ]] || fail "$name: the signed serial moved"
  [[ $(zone_field "$zone" 'z["upstream_serial"]') == 2026112301 ]] || fail "$name: the upstream serial moved"
  alive "after $name" 2026112301
  sys_axfr "$signer_port" "$zone" >"$SYS_WORK/after.txt"
  diff -q "$SYS_WORK/before.txt" "$SYS_WORK/after.txt" >/dev/null || fail "$name: the served zone changed"
  echo "   /status result: $result"
}
step "a primary whose AXFR never ends"
misbehave endless 2026112302 endless
step "a primary whose zone is over max-records"
misbehave big 2026112303 big

step "a good transfer still goes through afterwards"
echo "good 2026112304" >"$SYS_WORK/fake.state"
dig +tries=1 +time=2 +opcode=notify -p "$signer_port" @127.0.0.1 "$zone" SOA >/dev/null
sys_wait_serial "$signer_port" "$zone" 2026112304 30 || fail "signerd did not take the good zone after the bad ones"
[[ $(zone_field "$zone" 'z["last_transfer_in"]["result"]') == ok ]] || fail "the good transfer is not ok in /status"
python3 "$here/garbage.py" "$signer_port"
alive "at the end" 2026112304
echo "PASS"
