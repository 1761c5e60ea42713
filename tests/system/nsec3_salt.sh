#!/usr/bin/env bash
# The NSEC3 salt is zone state (REVIEW M5): a policy with salt-length 8
# gets a random salt for a new zone, and keeps it across restarts. Before,
# every start drew a new salt, so the first change after it re-chained the
# whole zone and sent every NSEC3 record by IXFR.
#   BIND primary --> signerd (NSEC3, salt-length 8) --> BIND secondary.
# Checks: after a SIGTERM restart and after a kill -9 restart, the served
# NSEC3PARAM is the one served before; the next change from the primary is
# signed incrementally (not a whole-zone pass, which a new salt forces)
# and reaches the secondary; the result validates (delv at the secondary, dnssec-verify).
#   nsec3_salt.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=salt.test
primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
bind2_port=$(sys_free_port)

write_zone() { # SERIAL
  {
    cat <<ZONE
\$ORIGIN $zone.
\$TTL 300
@        SOA  ns1 hostmaster $1 3600 600 86400 300
@        NS   ns1
ns1      A    127.0.0.1
ZONE
    for i in $(seq 1 100); do echo "host$i A 198.51.100.$((i % 250 + 1))"; done
    echo "serial$1 TXT \"change $1\""
  } >"$SYS_WORK/$zone.zone"
}
write_zone 2026120301

step "BIND primary on $primary_port"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null
step "SoftHSM2 token"
signerd_token
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port")
policies:
  - name: salted
    keys: [{role: csk, lifetime: unlimited, algorithm: ecdsap256sha256}]
    nsec3param: {iterations: 0, optout: false, salt-length: 8}
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: salted
CONF
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check

# wait_for FILE REGEX SECONDS — polls FILE every 100 ms until it matches.
wait_for() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
# The NSEC3PARAM RDATA signerd serves (its endpoint answers few query
# types, so from an AXFR).
nsec3param() { sys_axfr "$signer_port" "$zone" | awk '$4 == "NSEC3PARAM" {print $5, $6, $7, $8}'; }

step "signerd on $signer_port, BIND secondary on $bind2_port"
signerd_start
sys_wait_serial "$signer_port" "$zone" 2026120301 60 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 2026120301 || fail "the secondary did not load the signed zone"
first=$(nsec3param)
echo "   NSEC3PARAM: $first"
[[ $first =~ ^1\ 0\ 0\ [0-9A-F]{16}$ ]] || fail "NSEC3PARAM '$first' does not carry an 8-octet salt"

serial=2026120301
for how in TERM KILL; do
  step "restart after SIGTERM or kill -9 (this time: $how), then a change at the primary"
  kill "-$how" "$signerd_pid"
  wait "$signerd_pid" 2>/dev/null || true
  signerd_start
  wait_for "$log" "resumed signed serial" 30 || fail "signerd did not resume from the store"
  grep -q "NSEC3 salt of the served zone kept" "$log" || fail "signerd did not say it kept the served salt"
  [[ $(nsec3param) == "$first" ]] || fail "NSEC3PARAM changed across the restart: '$first' -> '$(nsec3param)'"
  serial=$((serial + 1))
  write_zone "$serial"
  sys_rndc primary reload "$zone" >/dev/null
  sys_wait_serial "$bind2_port" "$zone" "$serial" 30 || fail "the change $serial did not reach the secondary"
  grep -E "signed serial $serial published" "$log" | grep -q incremental ||
    fail "change $serial was not signed incrementally: $(grep "signed serial $serial" "$log")"
  [[ $(nsec3param) == "$first" ]] || fail "NSEC3PARAM changed with the change $serial"
done
sys_delv_validate "$bind2_port" "$zone" "serial$serial.$zone" TXT
sys_delv_validate "$bind2_port" "$zone" "nonexistent.$zone" A
file=$(sys_named_zone_file bind2 "$zone")
dnssec-verify -q -z -o "$zone" "$file" >"$SYS_WORK/verify.out" 2>&1 || { cat "$SYS_WORK/verify.out"; fail "dnssec-verify rejects the secondary's copy"; }
echo "nsec3_salt: ok"
