#!/usr/bin/env bash
# The primary goes away and stays away: signerd keeps serving the last zone
# and keeps its signatures fresh, past the SOA expire, and says so.
#   BIND primary --> signerd --> BIND secondary; then the primary is killed.
# A policy with short timings (signatures-validity 2m, signatures-refresh
# 90s, no jitter: a re-sign is due 30 s after each signing) and a zone SOA
# with refresh 5, retry 3, expire 15.
# Checks: signerd answers SOA throughout; it publishes new serials whose SOA
# RRSIG expires later, while the old signatures are still valid; the
# secondary follows and delv validates there; /status shows the SOA query
# errors and, past the SOA expire, upstream_expired_since; /healthz answers
# 503 naming the reason; the log says it keeps serving and re-signing; a
# re-sign happens after the expire too.
#   primary_down.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

zone=down.test
validity=120
refresh=90
expire=15

primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
http_port=$(sys_free_port)
bind2_port=$(sys_free_port)

cat >"$SYS_WORK/$zone.zone" <<ZONE
\$ORIGIN $zone.
\$TTL 30
@        SOA  ns1 hostmaster 2026112301 5 3 $expire 30
@        NS   ns1
ns1      A    127.0.0.1
www      A    192.0.2.80
mail     A    192.0.2.25
ZONE

step "BIND primary on $primary_port"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" >/dev/null

step "SoftHSM2 token"
signerd_token

cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" "$http_port")
$(signerd_short_policy "$validity" "$refresh")
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: short
CONF
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check

step "signerd on $signer_port, BIND secondary on $bind2_port"
"$signerd_bin" --config "$SYS_WORK/signerd.yaml" >>"$SYS_WORK/signerd.log" 2>&1 &
signerd_pid=$!
sys_track_pid "$signerd_pid"
sys_wait_serial "$signer_port" "$zone" 2026112301 60 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$bind2_port" "$zone" 2026112301

# soa_sig PORT — "SERIAL EXPIRATION_EPOCH" of the SOA and its RRSIG.
soa_sig() {
  dig +norec +dnssec +time=1 +tries=1 -p "$1" @127.0.0.1 "$zone" SOA 2>/dev/null | python3 -c '
import calendar, sys, time
serial = exp = None
for line in sys.stdin:
    f = line.split()
    if len(f) > 6 and not line.startswith(";") and f[3] == "SOA": serial = f[6]
    if len(f) > 8 and not line.startswith(";") and f[3] == "RRSIG" and f[4] == "SOA":
        exp = calendar.timegm(time.strptime(f[8], "%Y%m%d%H%M%S"))
if serial and exp: print(serial, exp)'
}
status_json() { curl -fsS "http://127.0.0.1:$http_port/status"; }
zone_field() {
  status_json | python3 -c '
import json, sys
z = [z for z in json.load(sys.stdin)["zones"] if z["zone"].rstrip(".") == sys.argv[1]][0]
print(eval(sys.argv[2]))' "$zone" "$1"
}

read -r serial0 exp0 <<<"$(soa_sig "$signer_port")"
[[ $serial0 == 2026112301 && -n $exp0 ]] || fail "no signed SOA at signerd"
echo "   serial $serial0, SOA RRSIG expires in $((exp0 - $(date +%s))) s"

step "the primary goes away"
kill "$(cat "$SYS_WORK/primary/pid")"
killed_at=$(date +%s)

# Watches for up to SECONDS: signerd must answer every poll; prints the
# first new "SERIAL EXPIRATION" seen and when.
wait_resign() { # OLD_SERIAL OLD_EXPIRATION TIMEOUT
  local old=$1 old_exp=$2 timeout=$3 start=$SECONDS serial exp now
  while ((SECONDS - start < timeout)); do
    read -r serial exp <<<"$(soa_sig "$signer_port")" || true
    [[ -n ${serial:-} ]] || fail "signerd did not answer SOA with the primary down"
    now=$(date +%s)
    if [[ $serial != "$old" ]]; then
      sys_serial_ge "$serial" "$old" || fail "the serial went back from $old to $serial"
      ((exp > old_exp)) || fail "serial $serial: SOA RRSIG expiration $exp is not later than $old_exp"
      # Published while the old signatures were still valid, and not
      # before they came within the refresh window.
      ((now < old_exp)) || fail "serial $serial came after the old signatures expired ($now >= $old_exp)"
      ((now >= old_exp - refresh - 2)) || fail "serial $serial re-signed before the refresh window"
      echo "$serial $exp $now"
      return 0
    fi
    sleep 0.5
  done
  fail "no re-signed serial within ${timeout}s (still $old)"
}

step "signerd keeps answering, and the SOA expire passes"
for _ in $(seq 1 $((expire + 10))); do
  [[ -n $(sys_soa_serial "$signer_port" "$zone") ]] || fail "signerd stopped answering with the primary down"
  [[ $(zone_field 'z["upstream_expired_since"] is not None') == True ]] && break
  sleep 1
done
[[ $(zone_field 'z["upstream_expired_since"] is not None') == True ]] ||
  fail "upstream_expired_since is not set $((expire + 10)) s after the primary went away"
echo "   upstream_expired_since $(zone_field 'z["upstream_expired_since"]') ($(($(date +%s) - killed_at)) s after the kill)"
[[ $(zone_field 'any("SOA query to 127.0.0.1@'"$primary_port"' failed" in e for e in z["errors"])') == True ]] ||
  fail "/status errors do not show the unreachable primary: $(zone_field 'z["errors"]')"
grep -q "zone $zone.*SOA query to 127.0.0.1@$primary_port failed" "$SYS_WORK/signerd.log" ||
  fail "the unreachable primary is not logged"
grep -q "zone $zone.*no primary answered for longer than the SOA expire.*still serving and re-signing" "$SYS_WORK/signerd.log" ||
  fail "the expire is not logged loudly"
code=$(curl -s -o "$SYS_WORK/healthz" -w '%{http_code}' "http://127.0.0.1:$http_port/healthz")
[[ $code == 503 ]] || fail "/healthz answered $code past the SOA expire"
grep -q "$zone.*primaries unreachable past SOA expire" "$SYS_WORK/healthz" ||
  fail "/healthz does not say why: $(cat "$SYS_WORK/healthz")"
[[ $(zone_field 'z["signed_serial"]') == 2026112301 ]] || fail "the serial moved before a re-sign was due"

step "a re-sign past the expire, before the old signatures expire"
read -r serial1 exp1 at1 <<<"$(wait_resign "$serial0" "$exp0" $((validity)))" || true
[[ -n ${at1:-} ]] || fail "no re-sign after the expire"
echo "   serial $serial1 at $((exp0 - at1)) s before the old SOA RRSIG expired; new one expires in $((exp1 - at1)) s"
sys_wait_serial "$bind2_port" "$zone" "$serial1" 20 || fail "the secondary did not get serial $serial1"
sys_delv_validate "$bind2_port" "$zone" "www.$zone" A >/dev/null || fail "delv does not validate at the secondary"
sys_delv_validate "$bind2_port" "$zone" "nothere.$zone" A >/dev/null || fail "delv does not validate a denial"
sys_delv_validate "$signer_port" "$zone" "$zone" SOA >/dev/null || fail "delv does not validate the SOA at signerd"
dig +nocmd +nostats +nocomments +onesoa -p "$bind2_port" @127.0.0.1 "$zone" AXFR >"$SYS_WORK/copy.zone"
dnssec-verify -q -z -o "$zone" "$SYS_WORK/copy.zone" >/dev/null 2>&1 || {
  dnssec-verify -z -o "$zone" "$SYS_WORK/copy.zone" || true
  fail "dnssec-verify rejects the secondary's copy"
}

step "and again: signatures stay fresh while the primary stays away"
read -r serial2 _ at2 <<<"$(wait_resign "$serial1" "$exp1" $((validity)))" || true
[[ -n ${at2:-} ]] || fail "no second re-sign"
echo "   serial $serial2 at $((exp1 - at2)) s before the previous SOA RRSIG expired"
sys_wait_serial "$bind2_port" "$zone" "$serial2" 20 || fail "the secondary did not get serial $serial2"
sys_delv_validate "$bind2_port" "$zone" "www.$zone" A >/dev/null || fail "delv does not validate at the secondary"
[[ $(zone_field 'z["upstream_expired_since"] is not None') == True ]] || fail "upstream_expired_since was cleared"
[[ $(zone_field 'z["upstream_serial"]') == 2026112301 ]] || fail "upstream_serial changed with the primary down"
kill -0 "$signerd_pid" || fail "signerd died"
echo "PASS"
