#!/usr/bin/env bash
# The middle-box benchmark: one-record changes through a signing middle box,
# signerd beside BIND 9 and Knot in one run, all on loopback:
#
#   BIND primary --NOTIFY, IXFR--> MIDDLE BOX (signs) --NOTIFY, IXFR--> BIND secondary
#
# Middle boxes, in turn, each with a fresh state and its own BIND secondary:
#   signerd-pkcs11  signerd, policy default (one CSK ECDSAP256SHA256, NSEC), key in SoftHSM2
#   signerd-pem     the same with `hsm: {backend: pem, key-dir: DIR}`
#   bind            named 9.18, `type secondary; inline-signing yes; dnssec-policy` (one CSK, file
#                   key); notify-delay 0 (its default, 5 s, would dominate (b))
#   knot            knotd, zone with `master:` and `dnssec-signing: on` (one CSK, NSEC,
#                   2 signing threads), kept in its journal only (no zone file)
# Per middle box:
#   first   from its start to serving the complete signed zone (signerd and
#           Knot publish only whole signed zones: the first signed SOA; BIND
#           publishes partly signed serials, a quantum at a time: until its
#           signing-state records, TYPE65534, all have the "done" octet set;
#           `rndc signing -list` is refused for dnssec-policy zones); every
#           first zone is then checked by AXFR and `dnssec-verify -z` (not timed);
#   changes CHANGES times: one A record changed and the serial raised in the
#           primary's file, `rndc reload`; a prober (UDP queries every 5 ms)
#           stamps t0 = rndc returned, and the first moment the primary and
#           the secondary answer the new A (the secondary with its RRSIG) and
#           the middle box a signed SOA with a newer serial (signerd answers
#           only SOA queries). (a) = middle box - primary as seen from
#           outside, and from the middle box's own log (NOTIFY in to
#           published/NOTIFY out); (b) = secondary - t0 and secondary - primary;
#   restart SIGTERM, start again, time until it serves the signed serial it
#           served before; its log is checked for re-signing;
#   memory  VmHWM of the middle box after the first publication and just
#           before each stop; for reference
#           /usr/bin/time's peak of `signerctl sign-file` (SoftHSM2 key) on the zone.
#
# BIND signs a new zone in quanta of sig-signing-nodes (default 100) names;
# MB_BIND_SIG_NODES=N sets it (in the zone) to shorten large runs.
# MB_TOOLS="signerd-pem knot" runs only those middle boxes (default: all four).
# MB_REF=no-verify skips the verifying sign-file reference run.
# MB_SIGNERD_ENV="VAR=value ..." starts signerd with those variables (e.g. GLIBC_TUNABLES).
# MB_WORK=DIR works in DIR (made empty first) and keeps it, with each middle box's
# state, configuration and token, to profile a restart again without re-signing.
#
# usage: tests/bench/middle_box.sh N [BUILD_DIR] [CHANGES=20]
set -euo pipefail
n=${1:?usage: middle_box.sh N [BUILD_DIR] [CHANGES]}
build=$(cd "${2:-build}" && pwd)
changes=${3:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
origin=bench.example.
zone=${origin%.}
for b in signerd signerctl; do
  [ -x "$build/bin/$b" ] || { echo "build $b first (cmake --build $build --target $b)" >&2; exit 1; }
done
# shellcheck source=tests/system/lib.sh
source "$root/tests/system/lib.sh"
# lib.sh's pollers run dig in pipelines: a server not up yet must not end the run.
soa() { sys_soa_serial "$@" || true; }
wait_serial() { (set +eo pipefail; sys_wait_serial "$@"); }

if [ -n "${MB_WORK:-}" ]; then
  rm -rf "$MB_WORK" && mkdir -p "$MB_WORK"
  SYS_WORK=$(cd "$MB_WORK" && pwd)
  trap 'sys_stop_all; sys_release_ports' EXIT
else
  SYS_WORK=$(mktemp -d)
  trap 'sys_stop_all; sys_release_ports; rm -rf "$SYS_WORK"' EXIT
fi
export SYS_WORK
trap 'exit 130' INT TERM
work=$SYS_WORK
results=$work/results
: >"$results"

zonefile=$work/bench.zone
python3 "$here/gen_zone.py" "$n" "$origin" >"$zonefile"
records=$(grep -vc '^\$' "$zonefile")
echo "zone: $n names, $records records, $(($(stat -c %s "$zonefile") / 1024)) KiB; $changes changes per middle box"

# ---------------------------------------------------------------- prober
cat >"$work/probe.py" <<'PY'
"""Stamps when servers on 127.0.0.1 answer what we wait for; reads logs."""
import json, random, re, select, socket, statistics, struct, subprocess, sys, threading, time


def query(qname, qtype, do):
    qid = random.randrange(65536)
    msg = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1)
    for label in qname.rstrip(".").split("."):
        msg += bytes([len(label)]) + label.encode()
    msg += b"\0" + struct.pack(">HH", qtype, 1)
    msg += b"\0" + struct.pack(">HHIH", 41, 4096, 0x8000 if do else 0, 0)
    return qid, msg


def skip_name(m, i):
    while True:
        n = m[i]
        if n == 0:
            return i + 1
        if n >= 0xC0:
            return i + 2
        i += n + 1


def answers(m):
    """(id, [(type, rdata_offset, rdata)]) of the answer section."""
    qid, _, qd, an = struct.unpack(">HHHH", m[:8])
    i = 12
    for _ in range(qd):
        i = skip_name(m, i) + 4
    out = []
    for _ in range(an):
        i = skip_name(m, i)
        t, _, _, rdlen = struct.unpack(">HHIH", m[i:i + 10])
        i += 10
        out.append((t, i, m[i:i + rdlen]))
        i += rdlen
    return qid, out


def soa_serial(m, rr):
    t, off, _ = rr
    j = skip_name(m, skip_name(m, off))
    return struct.unpack(">I", m[j:j + 4])[0]


def matches(m, want):
    """want: {"type": "A", "addr": "a.b.c.d", "sig": bool} or {"type": "SOA", "min": serial|None, "sig": bool}."""
    _, rrs = answers(m)
    if want["type"] == "A":
        addr = bytes(int(x) for x in want["addr"].split("."))
        ok = any(t == 1 and rd == addr for t, _, rd in rrs)
        covered = 1
    else:
        ok = False
        for rr in rrs:
            if rr[0] == 6:
                s = soa_serial(m, rr)
                ok = want.get("min") is None or ((s - want["min"]) & 0xFFFFFFFF) < 0x80000000
        covered = 6
    if ok and want.get("sig"):
        ok = any(t == 46 and struct.unpack(">H", rd[:2])[0] == covered for t, _, rd in rrs)
    return ok


def poll(targets, timeout, interval=0.005):
    """targets: {label: (port, qname, qtype, want)}; returns {label: first time it matched}."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    seen, pending, deadline = {}, {}, time.time() + timeout
    while len(seen) < len(targets) and time.time() < deadline:
        cycle_end = time.time() + interval
        pending.clear()
        for label, (port, qname, qtype, want) in targets.items():
            if label in seen:
                continue
            qid, msg = query(qname, qtype, want.get("sig", False))
            pending[qid] = label
            sock.sendto(msg, ("127.0.0.1", port))
        while pending and time.time() < cycle_end:
            r, _, _ = select.select([sock], [], [], max(0.0, cycle_end - time.time()))
            if not r:
                break
            m, _ = sock.recvfrom(65535)
            now = time.time()
            try:
                qid = struct.unpack(">H", m[:2])[0]
                label = pending.pop(qid, None)
                if label and matches(m, targets[label][3]):
                    seen.setdefault(label, now)
            except (struct.error, IndexError):
                pass
        rest = cycle_end - time.time()
        if rest > 0:
            time.sleep(rest)
    return seen


def cmd_change(spec):
    """Runs the reload command while polling; prints start, t0 and each first match."""
    targets = {}
    for label, port, sig in spec["targets"]:
        targets[label] = (port, spec["qname"], 1, {"type": "A", "addr": spec["addr"], "sig": sig})
    # signerd answers only SOA queries: the middle box is watched by its signed
    # SOA serial passing the one it served before the change.
    label, port, after = spec["mid"]
    targets[label] = (port, spec["zone"], 6, {"type": "SOA", "min": (after + 1) & 0xFFFFFFFF, "sig": True})
    stamps = {"start": time.time()}

    def reload():
        subprocess.run(spec["cmd"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        stamps["t0"] = time.time()

    th = threading.Thread(target=reload)
    th.start()
    seen = poll(targets, spec["timeout"])
    th.join()
    stamps.update(seen)
    print(json.dumps(stamps))


def cmd_wait(spec):
    """Waits for a signed SOA (serial >= min when given); prints the time or nothing."""
    want = {"type": "SOA", "min": spec.get("min"), "sig": True}
    seen = poll({"x": (spec["port"], spec["zone"], 6, want)}, spec["timeout"], 0.01)
    if "x" in seen:
        print("%.6f" % seen["x"])


# Log timestamps, all local time, to epoch seconds.
STAMPS = [
    (re.compile(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?"), "%Y-%m-%d %H:%M:%S"),  # signerd, knot
    (re.compile(r"^(\d\d-\w{3}-\d{4}) (\d\d:\d\d:\d\d)(\.\d+)?"), "%d-%b-%Y %H:%M:%S"),  # named
]
EVENTS = {
    "signerd": (r": NOTIFY from ", r": IXFR from .*: signed serial \d+ published"),
    "bind": (r"received notify for zone", r"\(signed\): serial \d+ \(unsigned \d+\)"),
    "knot": (r"notify, incoming", r"notify, outgoing|DNSSEC, successfully signed"),
}


def stamp(line):
    for rx, fmt in STAMPS:
        m = rx.match(line)
        if m:
            t = time.mktime(time.strptime(m.group(1) + " " + m.group(2), fmt))
            return t + (float(m.group(3)) if m.group(3) else 0.0)
    return None


def cmd_loglat(tool, log, stamps_file):
    """Per change: first 'in' event after the change started, first 'out' event after it."""
    rx_in, rx_out = (re.compile(x) for x in EVENTS[tool])
    events = []
    fractions = False
    for line in open(log, errors="replace"):
        t = stamp(line)
        if t is None:
            continue
        fractions = fractions or t != int(t)
        if rx_in.search(line):
            events.append((t, "in"))
        elif rx_out.search(line):
            events.append((t, "out"))
    runs = [json.loads(x) for x in open(stamps_file)]
    lat = []
    for k, run in enumerate(runs):
        lo = run["start"] - 0.002
        hi = runs[k + 1]["start"] if k + 1 < len(runs) else float("inf")
        t_in = next((t for t, e in events if e == "in" and lo <= t < hi), None)
        t_out = next((t for t, e in events if e == "out" and t_in is not None and t_in <= t < hi), None)
        if t_in is not None and t_out is not None:
            lat.append((t_out - t_in) * 1000)
    if not fractions:  # whole seconds only (Knot 3.2's log): no use at this scale
        return
    print(" ".join("%.1f" % x for x in lat))


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def cmd_summary(stamps_file, loglat):
    """Prints KEY=VALUE lines: medians and p90s in ms."""
    runs = [json.loads(x) for x in open(stamps_file)]
    series = {"mid_minus_primary": [], "sec_minus_t0": [], "sec_minus_primary": [], "primary_minus_t0": []}
    missing = 0
    for r in runs:
        if not all(k in r for k in ("t0", "primary", "mid", "secondary")):
            missing += 1
            continue
        series["mid_minus_primary"].append((r["mid"] - r["primary"]) * 1000)
        series["sec_minus_t0"].append((r["secondary"] - r["t0"]) * 1000)
        series["sec_minus_primary"].append((r["secondary"] - r["primary"]) * 1000)
        series["primary_minus_t0"].append((r["primary"] - r["t0"]) * 1000)
    series["log"] = [float(x) for x in loglat.split()]
    for k, xs in series.items():
        med, p90 = pct(xs, 0.5), pct(xs, 0.9)
        print("%s_med=%s" % (k, "-" if med is None else "%.1f" % med))
        print("%s_p90=%s" % (k, "-" if p90 is None else "%.1f" % p90))
        print("%s_n=%d" % (k, len(xs)))
    print("missing=%d" % missing)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "change":
        cmd_change(json.loads(sys.argv[2]))
    elif what == "wait":
        cmd_wait(json.loads(sys.argv[2]))
    elif what == "loglat":
        cmd_loglat(*sys.argv[2:5])
    elif what == "summary":
        cmd_summary(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
PY
probe() { python3 "$work/probe.py" "$@"; }
now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", (b - a) * 1000}'; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------- ports, primary
primary_port=$(sys_free_port)
declare -A mid_port sec_port
tools=(signerd-pkcs11 signerd-pem bind knot)
# The middle boxes take turns on one port: the primary then notifies only
# the one running (NOTIFYs to closed ports delayed the others' by ~0.5 s).
shared_mid_port=$(sys_free_port)
for t in "${tools[@]}"; do
  mid_port[$t]=$shared_mid_port
  sec_port[$t]=$(sys_free_port)
done
notify_ports=$shared_mid_port
echo "== BIND primary on $primary_port (NOTIFY to the middle box port $shared_mid_port)"
# Like lib.sh's primary, but with notify-delay 0: BIND's default holds the
# NOTIFY after a reload for up to 5 s, which would hide the middle box's time.
also=""
for p in $notify_ports; do also+="127.0.0.1 port $p; "; done
mkdir -p "$work/primary"
{
  sys__named_common "$work/primary" "$primary_port" "$(sys_free_port)"
  cat <<CONF
  notify explicit;
  also-notify { $also};
  notify-delay 0;
  ixfr-from-differences yes;
  allow-transfer { any; };
};
zone "$zone" { type primary; file "$zonefile"; };
CONF
} >"$work/primary/named.conf"
sys__start_named primary "$work/primary"
wait_serial "$primary_port" "$zone" 1 120
serial=$(soa "$primary_port" "$zone")
change_no=0

# A BIND secondary of the middle box at MID_PORT; like lib.sh's, but it waits
# as long as a large signed zone takes to transfer.
start_secondary() { # NAME PORT MID_PORT
  local name=$1 port=$2 mid=$3 dir="$work/$1" rndc_port
  mkdir -p "$dir"
  rndc_port=$(sys_free_port)
  {
    sys__named_common "$dir" "$port" "$rndc_port"
    cat <<CONF
  notify no;
  allow-transfer { any; };
};
zone "$zone" {
  type secondary;
  primaries { 127.0.0.1 port $mid; };
  file "$dir/$zone.db";
  allow-notify { 127.0.0.1; };
};
CONF
  } >"$dir/named.conf"
  sys__start_named "$name" "$dir"
  wait_serial "$port" "$zone" "$(soa "$mid" "$zone")" 1800
}

# One change at the primary, stamped by the prober; appends to STAMPS_FILE.
one_change() { # MID_PORT SEC_PORT STAMPS_FILE
  change_no=$((change_no + 1))
  serial=$((serial + 1))
  local addr="192.0.2.$((change_no % 200 + 30))"
  # Line 3 holds the SOA; the first "mail A" line is the record changed (gen_zone.py).
  sed -i -e "3s/( [0-9]* /( $serial /" -e "0,/^mail A /s/^mail A .*/mail A $addr/" "$zonefile"
  sleep 1.1 # named compares file times in seconds
  mid_serial=$(soa "$1" "$zone")
  probe change "$(printf '{"cmd": ["rndc", "-c", "%s", "reload", "%s"], "qname": "mail.%s", "addr": "%s", "timeout": 60, "zone": "%s", "targets": [["primary", %d, false], ["secondary", %d, true]], "mid": ["mid", %d, %d]}' \
    "$work/primary/rndc.conf" "$zone" "$origin" "$addr" "$origin" "$primary_port" "$2" "$1" "$mid_serial")" >>"$3"
}

# First publication, changes, restart, memory, for the middle box TOOL that
# start_TOOL / complete_TOOL / resigned_TOOL describe.
measure() { # TOOL LOG
  local t=$1 log=$2 mport=${mid_port[$1]} sport=${sec_port[$1]}
  local stamps=$work/$t.stamps pid t_start t_first t_full first_serial
  echo "== $t: middle box on $mport, secondary on $sport"
  t_start=$(now)
  "start_$t"
  pid=$mid_pid
  t_first=$(probe wait "{\"port\": $mport, \"zone\": \"$origin\", \"timeout\": 3600}")
  [ -n "$t_first" ] || { echo "$t: no signed zone within an hour"; tail -20 "$log"; return 1; }
  t_full=$("complete_$t" "$t_first")
  first_serial=$(soa "$mport" "$zone")
  echo "   first signed SOA after $(ms "$t_start" "$t_first") ms, complete after $(ms "$t_start" "$t_full") ms (serial $first_serial)"
  dig +nocmd +nostats +nocomments +onesoa -p "$mport" @127.0.0.1 "$zone" AXFR >"$work/$t.first.zone"
  if dnssec-verify -q -z -o "$origin" "$work/$t.first.zone" >/dev/null 2>"$work/$t.verify"; then
    echo "   first zone: dnssec-verify -z ok ($(grep -c . "$work/$t.first.zone") records)"
  else
    echo "   first zone: dnssec-verify -z FAILED: $(tail -2 "$work/$t.verify" | tr '\n' ' ')"
  fi
  local hwm_first
  hwm_first=$(hwm_kb "$pid")
  start_secondary "sec-$t" "$sport" "$mport"
  : >"$stamps"
  local i
  for ((i = 0; i < changes; i++)); do one_change "$mport" "$sport" "$stamps"; done
  local hwm served before_restart t_stop t_back
  hwm=$(hwm_kb "$pid")
  served=$(soa "$mport" "$zone")
  before_restart=$(wc -l <"$log")
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  wait "$pid" 2>/dev/null || true
  t_stop=$(now)
  "start_$t"
  t_back=$(probe wait "{\"port\": $mport, \"zone\": \"$origin\", \"min\": $served, \"timeout\": 600}")
  [ -n "$t_back" ] || t_back=$t_stop
  local hwm2 resigned
  sleep 1
  hwm2=$(hwm_kb "$mid_pid")
  resigned=$(tail -n +"$((before_restart + 1))" "$log" | "resigned_$t")
  echo "   restart: serving serial $served again after $(ms "$t_stop" "$t_back") ms; re-signing after restart: $resigned"
  kill -TERM "$mid_pid"
  while kill -0 "$mid_pid" 2>/dev/null; do sleep 0.05; done
  # The secondary is done too.
  kill -TERM "$(cat "$work/sec-$t/pid")" 2>/dev/null || true
  local lat
  lat=$(probe loglat "${t%%-*}" "$log" "$stamps")
  echo "   own log, ms from NOTIFY in to published: ${lat:-none}"
  if [ "${t%%-*}" = signerd ]; then
    # Where signerd's time goes per change (its log names each step).
    grep -E "IXFR from .*published" "$log" | python3 -c '
import re, statistics, sys
steps = {"SOA query": [], "transfer": [], "signing": [], "commit": []}
for line in sys.stdin:
    for k in steps:
        m = re.search(k + r" ([0-9.]+) ms", line)
        if m:
            steps[k].append(float(m.group(1)))
print("   own log, median ms per step: " + ", ".join(
    "%s %.1f" % (k, statistics.median(v)) for k, v in steps.items() if v))'
  fi
  {
    echo "tool=$t"
    probe summary "$stamps" "$lat"
    echo "first_ms=$(ms "$t_start" "$t_first")"
    echo "full_ms=$(ms "$t_start" "$t_full")"
    echo "restart_ms=$(ms "$t_stop" "$t_back")"
    echo "hwm_kb=$hwm"
    echo "hwm_first_kb=$hwm_first"
    echo "hwm_restart_kb=$hwm2"
    echo "resigned=$resigned"
  } >"$work/$t.summary"
}

# ---------------------------------------------------------------- signerd
bash "$root/deploy/hsm-init.sh" "$work/hsm" >/dev/null
export SOFTHSM2_CONF=$work/hsm/softhsm2.conf
signerd_conf() { # TOOL HSM_YAML
  cat <<CONF
server:
  listen: [127.0.0.1@${mid_port[$1]}]
  state-dir: $work/$1/state
hsm:
$2
zones:
  - name: $origin
    primaries: [127.0.0.1@$primary_port]
    notify: [127.0.0.1@${sec_port[$1]}]
    allow-transfer: [127.0.0.1]
    policy: default
CONF
}
start_signerd() { # TOOL
  env ${MB_SIGNERD_ENV:-} "$build/bin/signerd" --config "$work/$1/signerd.yaml" >>"$work/$1/signerd.log" 2>&1 &
  mid_pid=$!
  sys_track_pid "$mid_pid"
}
start_signerd-pkcs11() { start_signerd signerd-pkcs11; }
start_signerd-pem() { start_signerd signerd-pem; }
complete_signerd() { echo "$1"; } # signerd publishes only whole signed zones
complete_signerd-pkcs11() { complete_signerd "$@"; }
complete_signerd-pem() { complete_signerd "$@"; }
resigned_signerd() { # log lines after the restart on stdin
  local l
  l=$(cat)
  if grep -q "resumed signed serial" <<<"$l" && ! grep -qE "AXFR from|signatures made" <<<"$l"; then
    echo "no (resumed from the store)"
  else
    echo "YES: $(grep -E "AXFR from|signatures made" <<<"$l" | head -1)"
  fi
}
resigned_signerd-pkcs11() { resigned_signerd; }
resigned_signerd-pem() { resigned_signerd; }

mkdir -p "$work/signerd-pkcs11" "$work/signerd-pem/keys"
signerd_conf signerd-pkcs11 "  module: /usr/lib/softhsm/libsofthsm2.so
  token-label: signerd
  pin-file: $work/hsm/pin" >"$work/signerd-pkcs11/signerd.yaml"
signerd_conf signerd-pem "  backend: pem
  key-dir: $work/signerd-pem/keys" >"$work/signerd-pem/signerd.yaml"
"$build/bin/signerd" --config "$work/signerd-pkcs11/signerd.yaml" --check
"$build/bin/signerd" --config "$work/signerd-pem/signerd.yaml" --check
want() { [[ " ${MB_TOOLS:-${tools[*]}} " == *" $1 "* ]]; }
if want signerd-pkcs11; then measure signerd-pkcs11 "$work/signerd-pkcs11/signerd.log"; fi
if want signerd-pem; then measure signerd-pem "$work/signerd-pem/signerd.log"; fi

# ---------------------------------------------------------------- BIND inline-signing
mkdir -p "$work/bind/keys"
bind_rndc=$(sys_free_port)
{
  sys__named_common "$work/bind" "${mid_port[bind]}" "$bind_rndc"
  cat <<CONF
  notify explicit;
  also-notify { 127.0.0.1 port ${sec_port[bind]}; };
  allow-transfer { any; };
};
dnssec-policy "bench" {
  keys { csk key-directory lifetime unlimited algorithm ecdsap256sha256; };
};
zone "$zone" {
  type secondary;
  primaries { 127.0.0.1 port $primary_port; };
  file "$work/bind/$zone.db";
  key-directory "$work/bind/keys";
  inline-signing yes;
  dnssec-policy "bench";
  allow-notify { 127.0.0.1; };
  notify-delay 0;
${MB_BIND_SIG_NODES:+  sig-signing-nodes $MB_BIND_SIG_NODES;
}};
CONF
} >"$work/bind/named.conf"
named-checkconf "$work/bind/named.conf"
start_bind() {
  named -g -n 1 -c "$work/bind/named.conf" >>"$work/bind/named.log" 2>&1 &
  mid_pid=$!
  sys_track_pid "$mid_pid"
}
complete_bind() { # BIND's signing-state records (TYPE65534: alg, key id, removal, done) all say done
  local port=${mid_port[bind]} state
  while :; do
    state=$(dig +short +norec -p "$port" @127.0.0.1 "$zone" TYPE65534 2>/dev/null || true)
    if [[ -n $state ]] && ! grep -qv '01$' <<<"$state"; then break; fi
    sleep 0.1
  done
  now
}
resigned_bind() {
  local l
  l=$(cat)
  if grep -qE "signing with key|reconfiguring zone keys.*(new|sign)" <<<"$l"; then
    echo "some: $(grep -E "signing with key" <<<"$l" | head -1 | cut -c1-120)"
  else
    echo "no ('signing with key' not logged)"
  fi
}
if want bind; then measure bind "$work/bind/named.log"; fi

# ---------------------------------------------------------------- Knot
mkdir -p "$work/knot/db"
cat >"$work/knot/knot.conf" <<CONF
server:
  listen: 127.0.0.1@${mid_port[knot]}
  rundir: "$work/knot"
  background-workers: 2
log:
  - target: "$work/knot/knot.log"
    any: info
database:
  storage: "$work/knot/db"
remote:
  - id: primary
    address: 127.0.0.1@$primary_port
  - id: secondary
    address: 127.0.0.1@${sec_port[knot]}
acl:
  - id: from-primary
    address: 127.0.0.1
    action: notify
  - id: to-secondary
    address: 127.0.0.1
    action: transfer
policy:
  - id: bench
    algorithm: ecdsap256sha256
    single-type-signing: on
    nsec3: off
    signing-threads: 2
zone:
  - domain: $origin
    storage: "$work/knot"
    file: "$zone.zone"
    master: primary
    notify: secondary
    acl: [from-primary, to-secondary]
    dnssec-signing: on
    dnssec-policy: bench
    # Durable in the journal, never dumped to a zone file (like signerd's store).
    zonefile-sync: -1
    zonefile-load: none
    journal-content: all
CONF
knotc -c "$work/knot/knot.conf" conf-check >/dev/null
start_knot() {
  knotd -c "$work/knot/knot.conf" >>"$work/knot/knotd.stderr" 2>&1 &
  mid_pid=$!
  sys_track_pid "$mid_pid"
}
complete_knot() { echo "$1"; } # Knot signs the whole transferred zone before serving it
resigned_knot() {
  local l
  l=$(cat)
  if grep -qE "DNSSEC, successfully signed" <<<"$l"; then
    echo "logged: $(grep -E "DNSSEC, successfully signed" <<<"$l" | head -1 | sed 's/.*DNSSEC/DNSSEC/' | cut -c1-100)"
  else
    echo "no ('DNSSEC, successfully signed' not logged)"
  fi
}
if want knot; then measure knot "$work/knot/knot.log"; fi

# ---------------------------------------------------------------- reference: signerctl sign-file
echo "== reference: signerctl sign-file (SoftHSM2 key, 2 workers)"
bash "$root/deploy/hsm-init.sh" "$work/hsm-ref" >/dev/null
cat >"$work/ref.yaml" <<CONF
server:
  state-dir: $work/ref-state
hsm:
  module: /usr/lib/softhsm/libsofthsm2.so
  token-label: signerd
  pin-file: $work/hsm-ref/pin
CONF
ref_kb=0 ref_s=0
# MB_REF=no-verify runs only the --no-verify reference (the peak the ratio uses).
ref_runs=("--no-verify" "")
[ "${MB_REF:-}" = no-verify ] && ref_runs=("--no-verify")
for v in "${ref_runs[@]}"; do
  # shellcheck disable=SC2086
  SOFTHSM2_CONF=$work/hsm-ref/softhsm2.conf /usr/bin/time -f "%e %M" -o "$work/ref.time" \
    "$build/bin/signerctl" sign-file --config "$work/ref.yaml" --zone "$origin" --in "$zonefile" \
    --out "$work/ref.zone" --workers 2 $v >/dev/null 2>"$work/ref.log" || { cat "$work/ref.log"; }
  read -r s kb <"$work/ref.time"
  echo "   sign-file ${v:-(verifying)}: $s s, peak $((kb / 1024)) MiB"
  [ "$v" = "--no-verify" ] && ref_kb=$kb ref_s=$s
  [ -z "$v" ] && ref_verify_kb=$kb
done

# ---------------------------------------------------------------- tables
get() { awk -F= -v k="$2" '$1 == k {print $2}' "$work/$1.summary" 2>/dev/null || true; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b}'; }
echo
echo "zone $n names ($records records), $changes one-record changes per middle box; times in ms, memory in MiB"
echo "sign-file reference peak: $((ref_kb / 1024)) MiB with --no-verify, $((${ref_verify_kb:-0} / 1024)) MiB verifying ($ref_s s)"
rows=(
  "(a) mid - primary, med|mid_minus_primary_med"
  "(a) mid - primary, p90|mid_minus_primary_p90"
  "(a) own log NOTIFY->published, med|log_med"
  "(a) own log NOTIFY->published, p90|log_p90"
  "(b) secondary - primary, med|sec_minus_primary_med"
  "(b) secondary - primary, p90|sec_minus_primary_p90"
  "(b) secondary - rndc reload, med|sec_minus_t0_med"
  "(b) secondary - rndc reload, p90|sec_minus_t0_p90"
  "    primary - rndc reload, med|primary_minus_t0_med"
  "first signed SOA served|first_ms"
  "first complete signed zone|full_ms"
  "restart to signed serial|restart_ms"
  "peak RSS MiB, after first publication|hwm_first_kb"
  "peak RSS MiB, after the changes|hwm_kb"
  "peak RSS MiB after restart|hwm_restart_kb"
)
for t in signerd-pkcs11 signerd-pem; do
  want "$t" || continue
  echo
  echo "## $t (changes measured: $(get "$t" mid_minus_primary_n), own-log latencies: $(get "$t" log_n))"
  printf "| %-36s | %10s | %10s | %10s | %10s | %10s |\n" measure "$t" bind knot "$t/bind" "$t/knot"
  printf "|%s|%s:|%s:|%s:|%s:|%s:|\n" "--------------------------------------" "-----------" "-----------" "-----------" "-----------" "-----------"
  for row in "${rows[@]}"; do
    label=${row%%|*} key=${row##*|}
    a=$(get "$t" "$key") b=$(get bind "$key") c=$(get knot "$key")
    if [[ $key == hwm* ]]; then
      for v in a b c; do [[ -n ${!v} && ${!v} != 0 ]] && printf -v "$v" "%.1f" "$(awk -v x="${!v}" 'BEGIN {print x / 1024}')" || printf -v "$v" "-"; done
    fi
    printf "| %-36s | %10s | %10s | %10s | %10s | %10s |\n" "$label" "${a:--}" "${b:--}" "${c:--}" "$(ratio "$a" "$b")" "$(ratio "$a" "$c")"
  done
  echo "peak RSS / sign-file (--no-verify): $(ratio "$(get "$t" hwm_kb)" "$ref_kb"); re-signing after restart: $(get "$t" resigned)"
done
echo
echo "bind: re-signing after restart: $(get bind resigned); knot: $(get knot resigned)"
