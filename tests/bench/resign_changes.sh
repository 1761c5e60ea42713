#!/usr/bin/env bash
# Changes during a ZSK rollover's re-signing, on loopback:
#
#   BIND primary --NOTIFY, IXFR--> signerd (SoftHSM2) --NOTIFY, IXFR--> BIND secondary
#
# A zone of N names (signerd_hosts_zone), a KSK and a ZSK (ECDSAP256SHA256,
# NSEC) on the short timings of signerd_roll_policy, but signatures valid
# 2 h and refreshed 30 min before expiry (with 5 min, a 1M-name zone is due
# for refresh as soon as it is signed). Measured:
#   engine   the first whole-zone signing: signatures per second (signerd's
#            log: "N signatures made, signing T ms");
#   idle     CHANGES one-record changes at the primary (nsupdate) with
#            nothing else to do: ms from NOTIFY in to
#            published, from signerd's log;
#   walk     `signerctl rollover --role zsk`; once the successor signs, the
#            re-signing walk brings the zone over, slice by slice: its
#            signatures per second (against the engine's), slices, serials;
#   during   a change every GAP seconds while the walk runs: ms from NOTIFY
#            in to published (p50, p99, max).
# The secondary must hold the last serial at the end and dnssec-verify must
# accept its copy.
#
# usage: tests/bench/resign_changes.sh N [BUILD_DIR] [CHANGES=20] [GAP=0.2]
set -euo pipefail
n=${1:?usage: resign_changes.sh N [BUILD_DIR] [CHANGES] [GAP]}
build=$(cd "${2:-build}" && pwd)
changes=${3:-20}
gap=${4:-0.2}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/system/prelude.sh
source "$here/../system/prelude.sh" "$build/bin/signerd"
signerctl=$build/bin/signerctl
zone=resign.bench

primary_port=$(sys_free_port)
signer_port=$(sys_free_port)
http_port=$(sys_free_port)
bind2_port=$(sys_free_port)
socket=$SYS_WORK/run/control.sock
mkdir -p "$SYS_WORK/run"

signerd_hosts_zone "$zone" 1 "$n" "www A 192.0.2.1"
step "zone: $n names; BIND primary on $primary_port"
sys_start_named_primary primary "$primary_port" "$zone" "$SYS_WORK/$zone.zone" "$signer_port" >/dev/null
# A NOTIFY per change (named's notify-delay, 5 s, would fold them), and
# changes by dynamic update: a reload of the whole file would cost named
# more CPU than signerd's walk has.
sed -i -e 's/^  notify explicit;/  notify explicit;\n  notify-delay 0;/' \
  -e "s|^zone \"$zone\" { type primary; file \"\([^\"]*\)\"; };|zone \"$zone\" { type primary; file \"\1\"; allow-update { 127.0.0.1; }; };|" \
  "$SYS_WORK/primary/named.conf"
grep -q "allow-update" "$SYS_WORK/primary/named.conf" || fail "could not allow updates at the primary"
sys_rndc primary reconfig >/dev/null
signerd_token
cat >"$SYS_WORK/signerd.yaml" <<CONF
$(signerd_config_head "$signer_port" "$http_port" | sed "/^  listen:/a\\  control: $socket")
policies:
$(signerd_roll_policy roll "[{role: ksk, lifetime: unlimited, algorithm: ecdsap256sha256}, {role: zsk, lifetime: unlimited, algorithm: ecdsap256sha256}]" |
  sed -e 's/signatures-validity: 5m/signatures-validity: 2h/' -e 's/signatures-validity-dnskey: 5m/signatures-validity-dnskey: 2h/' \
    -e 's/signatures-refresh: 4m/signatures-refresh: 30m/')
zones:
  - name: $zone
    primaries: [{address: 127.0.0.1@$primary_port}]
    notify: [{address: 127.0.0.1@$bind2_port}]
    allow-transfer: [{address: 127.0.0.1}]
    policy: roll
CONF
signerd_start
sys_wait_serial "$signer_port" "$zone" 1 600 || fail "signerd did not serve the signed zone"
sys_start_named_secondary bind2 "$bind2_port" "$zone" "$signer_port" >/dev/null
sys_wait_serial "$bind2_port" "$zone" "$(sys_soa_serial "$signer_port" "$zone")" 120 ||
  fail "the secondary did not load the signed zone"

# As with a registry: the KSK's DS is at the parent (signerctl checkds), so
# the ZSK roll is a pre-publication roll (without a chain of trust the
# state machine lets both ZSKs sign at once: KASP.md section 1.4).
ksk_ds() { signerd_status_keys "$http_port" "$zone" '[x["records"]["ds"] for x in k if x["role"] == "ksk"][0]'; }
ds_rumoured() { [[ $(ksk_ds) == rumoured ]]; }
ds_omnipresent() { [[ $(ksk_ds) == omnipresent ]]; }
wait_until 120 "the KSK's DS rumoured" ds_rumoured
"$signerctl" checkds --config "$SYS_WORK/signerd.yaml" --zone "$zone" published
wait_until 120 "the KSK's DS omnipresent" ds_omnipresent

serial=1
# change: one A record changed by dynamic update (named raises the serial).
change() {
  serial=$((serial + 1))
  printf 'server 127.0.0.1 %s\nzone %s\nupdate delete www.%s A\nupdate add www.%s 30 A 192.0.2.%s\nsend\n' \
    "$primary_port" "$zone" "$zone" "$zone" "$((serial % 250 + 1))" | nsupdate
}
# latencies LOG FROM_LINE — ms from each NOTIFY in to the next IXFR
# published, for the lines after FROM_LINE.
latencies() {
  tail -n "+$2" "$1" | python3 -c '
import re, sys, time
def stamp(line):
    m = re.match(r"^\[?(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)", line)
    if not m:
        return None
    return time.mktime(time.strptime(m.group(1) + " " + m.group(2), "%Y-%m-%d %H:%M:%S")) + float(m.group(3))
t_in = None
for line in sys.stdin:
    t = stamp(line)
    if t is None:
        continue
    if ": NOTIFY from " in line and t_in is None:
        t_in = t
    elif re.search(r": IXFR from .*: signed serial \d+ published", line) and t_in is not None:
        print("%.1f" % ((t - t_in) * 1000))
        t_in = None
'
}
summary() { # label, then latencies on stdin
  python3 -c '
import sys
xs = sorted(float(x) for x in sys.stdin.read().split())
if not xs:
    print("   %s: no samples" % sys.argv[1]); sys.exit()
pct = lambda p: xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
print("   %s: %d changes, ms from NOTIFY in to published: p50 %.1f, p99 %.1f, max %.1f" %
      (sys.argv[1], len(xs), pct(50), pct(99), xs[-1]))' "$1"
}

python3 -c '
import re, sys
m = re.search(r"(\d+) records, (\d+) signatures made, signing ([0-9.]+) ms", open(sys.argv[1]).read())
print("   engine (first signing): %s signatures in %.0f ms: %.0f sig/s" % (m.group(2), float(m.group(3)), int(m.group(2)) / float(m.group(3)) * 1000))
' "$log"

step "idle: $changes changes"
from=$(($(wc -l <"$log") + 1))
for _ in $(seq "$changes"); do
  change
  sleep "$gap"
done
sys_wait_serial "$signer_port" "$zone" 1 30 >/dev/null
latencies "$log" "$from" | summary idle

step "ZSK rollover; changes every ${gap}s during the re-signing walk"
"$signerctl" rollover --config "$SYS_WORK/signerd.yaml" --zone "$zone" --role zsk
walking() { grep -q "re-signing with the zone's keys: signed serial" "$log"; }
wait_until 300 "the re-signing walk starts" walking
from=$(($(wc -l <"$log") + 1))
done_walk() { grep -q "signatures of zsk .* complete" "$log"; }
while ! done_walk; do
  change
  sleep "$gap"
done
latencies "$log" "$from" | summary during
python3 -c '
import re, sys, time
def stamp(line):
    m = re.match(r"^\[?(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)", line)
    return time.mktime(time.strptime(m.group(1) + " " + m.group(2), "%Y-%m-%d %H:%M:%S")) + float(m.group(3))
lines = open(sys.argv[1]).read().splitlines()
walk = [l for l in lines if "re-signing with the zone" in l and "published" in l]
end = next(l for l in lines if re.search(r"signatures of zsk .* complete", l))
sigs = sum(int(re.search(r"\((\d+) signatures made", l).group(1)) for l in walk)
signing = sum(float(re.search(r"signing ([0-9.]+) ms", l).group(1)) for l in walk)
t0 = stamp(walk[0]) - float(re.search(r"signing ([0-9.]+) ms", walk[0]).group(1)) / 1000
span = stamp(end) - t0
print("   walk: %d slices (serials), %d signatures in %.1f s: %.0f sig/s (signing alone %.0f sig/s)" %
      (len(walk), sigs, span, sigs / span, sigs / signing * 1000))
' "$log"

step "the secondary follows; dnssec-verify accepts its copy"
sys_wait_serial "$bind2_port" "$zone" "$(sys_soa_serial "$signer_port" "$zone")" 120 ||
  fail "the secondary did not follow"
sleep 1
file=$(sys_named_zone_file bind2 "$zone")
dnssec-verify -q -o "$zone" "$file" >"$SYS_WORK/verify.out" 2>&1 ||
  { cat "$SYS_WORK/verify.out"; fail "dnssec-verify rejects the secondary's copy"; }
[[ -n ${RESIGN_KEEP_LOG:-} ]] && cp "$log" "$RESIGN_KEEP_LOG"
echo "resign_changes: ok"
