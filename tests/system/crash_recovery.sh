#!/usr/bin/env bash
# kill -9 of signerd at the worst moments, then restart:
#   (a) during the first transfer in of a large zone (150,000 names from
#       tests/bench/gen_zone.py): killed once the primary logs the AXFR
#       started and before signerd published anything;
#   (b) during the signing of a large change (20,000 added names): killed
#       once the primary logs the IXFR ended and before signerd published.
# After each restart signerd resumes from its last commit ("resumed signed
# serial N", or "nothing stored yet" when it had none), the BIND secondary
# converges on a zone that validates (delv; dnssec-verify -z on an AXFR copy)
# and holds the change, and no serial seen at signerd or at the secondary
# ever goes back (a watcher records every serial it sees).
#   crash_recovery.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=big.test
names=150000
added=20000
serial_a=2024061501 # gen_zone.py's serial
serial_b=2024061502

primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
bind2_port=$(sys_free_port)

step "a zone of $names names"
python3 "$root/tests/bench/gen_zone.py" "$names" "$zone." >"$SYS_WORK/$zone.zone"
step "BIND primary on $primary_port (NOTIFY to signerd on $signer_port)"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null
primary_log=$SYS_WORK/primary/named.log

step "SoftHSM2 token"
signerd_token

cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port")
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: default
CONF
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check

crash() {
  kill -9 "$signerd_pid"
  wait "$signerd_pid" 2>/dev/null || true
}
# wait_log FILE REGEX TIMEOUT — polls FILE every 50 ms until it matches.
wait_log() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no '$2' in $1 within $3 s"
}

# Every serial seen at signerd and at the secondary, one "PORT SERIAL" a line.
# A server that is down (signerd between kill and restart) is no serial.
watch_serials() {
  set +e
  local port s
  while :; do
    for port in "$signer_port" "$bind2_port"; do
      s=$(sys_soa_serial "$port" "$zone")
      [[ -n $s ]] && echo "$port $s" >>"$SYS_WORK/serials"
    done
    sleep 0.2
  done
}
watch_serials &
sys_track_pid $!

step "(a) kill -9 during the first transfer in"
signerd_start
wait_log "$primary_log" "transfer of '$zone/IN': AXFR started" 30
sleep 0.3
grep -q "signed serial" "$log" && fail "(a) signerd published before the kill: the zone is too small to test this"
crash
echo "   killed during the transfer; signerd had logged: $(grep -c . "$log") lines, no publication"
signerd_start
wait_log "$log" "(nothing stored yet|resumed signed serial $serial_a)" 30
grep -q "nothing stored yet" "$log" && echo "   restart: nothing stored yet"
sys_wait_serial "$signer_port" "$zone" "$serial_a" 120 || fail "(a) signerd did not serve the zone after the restart"
grep -qE "AXFR from .*signed serial $serial_a published" "$log" || grep -q "resumed signed serial $serial_a" "$log" ||
  fail "(a) the served zone came from neither a new transfer nor the store"

step "BIND secondary on $bind2_port"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$bind2_port" "$zone" "$serial_a" 60

step "(b) kill -9 during the signing of a change of $added names"
sed -i "s/ $serial_a / $serial_b /" "$SYS_WORK/$zone.zone"
grep -q " $serial_b " "$SYS_WORK/$zone.zone" || fail "the serial was not bumped"
for ((i = 0; i < added; i++)); do echo "add$i A 203.0.113.$((i % 250 + 1))"; done >>"$SYS_WORK/$zone.zone"
sys_rndc primary reload "$zone" >/dev/null
wait_log "$primary_log" "transfer of '$zone/IN': IXFR ended" 60
grep -q "signed serial $serial_b" "$log" && fail "(b) signerd published before the kill: the change is too small to test this"
crash
echo "   killed after the IXFR ended, before serial $serial_b was published"
[[ $(sys_soa_serial "$bind2_port" "$zone") == "$serial_a" ]] || fail "(b) the secondary moved while signerd was down"
signerd_start
wait_log "$log" "resumed signed serial" 30
grep -q "resumed signed serial $serial_a" "$log" || fail "(b) signerd did not resume serial $serial_a: $(grep resumed "$log")"
sys_wait_serial "$signer_port" "$zone" "$serial_b" 120 || fail "(b) signerd did not take the change after the restart"
sys_wait_serial "$bind2_port" "$zone" "$serial_b" 60 || fail "(b) the secondary did not converge"

step "the secondary's copy validates and holds the change"
sys_delv_validate "$bind2_port" "$zone" "add7.$zone" A >/dev/null || fail "delv does not validate add7.$zone"
sys_delv_validate "$bind2_port" "$zone" "nothere.$zone" A >/dev/null || fail "delv does not validate a denial"
dig +nocmd +nostats +nocomments +onesoa +time=20 -p "$bind2_port" @127.0.0.1 "$zone" AXFR >"$SYS_WORK/copy.zone"
count=$(awk -v z="$zone." '$4 == "A" && $1 ~ /^add[0-9]+\./ && substr($1, index($1, ".") + 1) == z' "$SYS_WORK/copy.zone" | wc -l)
[[ $count == "$added" ]] || fail "the secondary holds $count of the $added added names"
dnssec-verify -q -z -o "$zone" "$SYS_WORK/copy.zone" >/dev/null 2>&1 || {
  dnssec-verify -z -o "$zone" "$SYS_WORK/copy.zone" 2>&1 | tail -n 5 || true
  fail "dnssec-verify rejects the secondary's copy"
}

step "no serial ever went back"
[[ -s $SYS_WORK/serials ]] || fail "the watcher recorded no serial"
python3 - "$SYS_WORK/serials" "$signer_port" "$bind2_port" <<'PY'
import sys
last = {}
seen = {}
for line in open(sys.argv[1]):
    port, serial = line.split()
    s = int(serial)
    if port in last and ((s - last[port]) & 0xFFFFFFFF) >= 0x80000000:
        sys.exit(f"port {port}: serial went back from {last[port]} to {s}")
    last[port] = s
    seen.setdefault(port, []).append(s)
for port in sys.argv[2:]:
    if port not in seen:
        sys.exit(f"port {port}: no serial recorded")
    print(f"   port {port}: {len(seen[port])} observations, serials {sorted(set(seen[port]))}")
PY
echo "PASS"
