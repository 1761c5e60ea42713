# shellcheck shell=bash
# tests/system/lib.sh — helpers for system tests: real BIND and NSD servers
# on 127.0.0.1 high ports, each in its own directory under $SYS_WORK.
#
# Owns: starting/stopping those servers, waiting for serials, AXFR dumps and
# delv validation. Does not own: signerd itself or what a test asserts.
#
# Usage (bash, set -euo pipefail friendly):
#   source tests/system/lib.sh
#   SYS_WORK=$(mktemp -d); trap 'sys_stop_all; rm -rf "$SYS_WORK"' EXIT
# Every process started here has its PID appended to $SYS_WORK/pids;
# sys_stop_all kills exactly those PIDs (never by name).
#
# TSIG arguments are three words: NAME ALGORITHM SECRET_BASE64, with the
# algorithm as BIND spells it (hmac-sha256). For dig-style helpers
# (sys_axfr) the key is one word ALG:NAME:SECRET, as `dig -y` takes it.

# Prints a message to stderr and returns 1.
sys_fail() {
  echo "lib.sh: $*" >&2
  return 1
}

# Checks that $SYS_WORK names a directory; every helper calls it.
sys__need_work() {
  [[ -n "${SYS_WORK:-}" && -d "$SYS_WORK" ]] || sys_fail "SYS_WORK is not set to a directory"
}

# Records PID in $SYS_WORK/pids so that sys_stop_all stops it.
sys_track_pid() {
  sys__need_work || return 1
  echo "$1" >>"$SYS_WORK/pids"
}

# sys_free_port — prints a port in 30000-39999 that is free on 127.0.0.1 for
# both TCP and UDP at the time of the call (python3 binds both) and that no
# other test holds: a port is reserved (mkdir, atomic) under
# $SYS_PORT_DIR until this test's sys_release_ports, so that tests running
# at once never pick the same port between the check and their server's
# bind. A reservation older than an hour is a dead test's and is taken over.
SYS_PORT_DIR=${SYS_PORT_DIR:-${TMPDIR:-/tmp}/signerd-test-ports}
sys_free_port() {
  sys__need_work || return 1
  mkdir -p "$SYS_PORT_DIR"
  python3 - "$SYS_PORT_DIR" "$SYS_WORK/ports" <<'PY'
import os, random, socket, sys, time
reservations, mine = sys.argv[1], sys.argv[2]
def reserve(port):
    path = os.path.join(reservations, str(port))
    try:
        os.mkdir(path)
        return True
    except FileExistsError:
        try:
            if time.time() - os.stat(path).st_mtime > 3600:
                os.utime(path)
                return True
        except OSError:
            pass
        return False
for _ in range(400):
    port = random.randint(30000, 39999)
    socks = []
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            socks.append(s)
            s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    if not reserve(port):
        continue
    with open(mine, "a") as f:
        f.write(f"{port}\n")
    print(port)
    sys.exit(0)
sys.exit("no free port in 30000-39999")
PY
}

# sys_release_ports — gives back the ports this test reserved.
sys_release_ports() {
  [[ -n "${SYS_WORK:-}" && -f "$SYS_WORK/ports" ]] || return 0
  local port
  while read -r port; do rmdir "$SYS_PORT_DIR/$port" 2>/dev/null || true; done <"$SYS_WORK/ports"
  : >"$SYS_WORK/ports"
}

# sys_soa_serial PORT ZONE — prints the SOA serial served at 127.0.0.1#PORT,
# or nothing when there is no answer.
sys_soa_serial() {
  { dig +short +norec +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" SOA 2>/dev/null || true; } | awk '!/^;/ && NF >= 7 && $3 ~ /^[0-9]+$/ {print $3; exit}'
}

# sys__wait_up NAME PID PORT ZONE LOG — waits up to 20 s until PORT answers
# SOA for ZONE; fails (with the log's tail) when the process died or time ran
# out.
sys__wait_up() {
  local name=$1 pid=$2 port=$3 zone=$4 log=$5 i
  for ((i = 0; i < 100; i++)); do
    if [[ -n "$(sys_soa_serial "$port" "$zone")" ]]; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log" >&2 || true
      sys_fail "$name (pid $pid) exited before serving $zone on port $port"
      return 1
    fi
    sleep 0.2
  done
  tail -n 30 "$log" >&2 || true
  sys_fail "$name did not serve $zone on port $port within 20 s"
}

# sys__named_common DIR PORT RNDC_PORT [TSIG_NAME TSIG_ALG TSIG_SECRET] —
# prints the named.conf part shared by primary and secondary: rndc key and
# controls, the TSIG key, and the options that keep named on loopback and in
# DIR. The caller appends its own option lines and "};".
sys__named_common() {
  local dir=$1 port=$2 rndc_port=$3
  local rndc_secret
  rndc_secret=$(head -c 32 /dev/urandom | base64)
  cat >"$dir/rndc.conf" <<CONF
key "rndc-key" { algorithm hmac-sha256; secret "$rndc_secret"; };
options { default-key "rndc-key"; default-server 127.0.0.1; default-port $rndc_port; };
CONF
  cat <<CONF
key "rndc-key" { algorithm hmac-sha256; secret "$rndc_secret"; };
controls { inet 127.0.0.1 port $rndc_port allow { 127.0.0.1; } keys { "rndc-key"; }; };
CONF
  if [[ $# -ge 6 ]]; then
    echo "key \"$4\" { algorithm $5; secret \"$6\"; };"
  fi
  cat <<CONF
options {
  directory "$dir";
  listen-on port $port { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "$dir/named.pid";
  session-keyfile "$dir/session.key";
  managed-keys-directory "$dir";
  recursion no;
  dnssec-validation no;
  minimal-responses no;
CONF
}

# sys__start_named NAME DIR PORT — runs `named -g` on DIR/named.conf in the
# background (log DIR/named.log), records its PID and prints it.
sys__start_named() {
  local name=$1 dir=$2
  named-checkconf "$dir/named.conf" >&2 || sys_fail "$name: named.conf does not check" || return 1
  named -g -n 1 -c "$dir/named.conf" >"$dir/named.log" 2>&1 &
  local pid=$!
  sys_track_pid "$pid"
  echo "$pid" >"$dir/pid"
}

# sys_start_named_primary NAME PORT ZONE ZONEFILE [TSIG_NAME TSIG_ALG TSIG_SECRET] [NOTIFY_PORTS]
# Starts BIND as the primary for ZONE from ZONEFILE (served in place: edit it
# and `sys_rndc NAME reload ZONE`). With a TSIG key, transfers need that key
# and NOTIFY is signed with it;
# without, anyone on loopback may transfer. NOTIFY_PORTS is one port or a
# space-separated list ("35001 35002") on 127.0.0.1 that get NOTIFY (notify
# explicit; nothing else is notified). ixfr-from-differences is on, so
# secondaries can ask IXFR after a reload. Waits until PORT answers SOA.
sys_start_named_primary() {
  sys__need_work || return 1
  [[ $# -ge 4 ]] || sys_fail "usage: sys_start_named_primary NAME PORT ZONE ZONEFILE [TSIG...] [NOTIFY_PORTS]" || return 1
  local name=$1 port=$2 zone=$3 zonefile
  zonefile=$(realpath "$4")
  shift 4
  local tsig=() notify_ports=""
  if [[ $# -ge 3 ]]; then tsig=("$1" "$2" "$3"); shift 3; fi
  if [[ $# -ge 1 ]]; then notify_ports=$1; fi
  local dir="$SYS_WORK/$name"
  mkdir -p "$dir"
  local rndc_port
  rndc_port=$(sys_free_port)
  local allow="any;" p also=""
  [[ ${#tsig[@]} -eq 3 ]] && allow="key \"${tsig[0]}\";"
  local notify_key=""
  [[ ${#tsig[@]} -eq 3 ]] && notify_key=" key \"${tsig[0]}\""
  for p in $notify_ports; do also+="127.0.0.1 port $p${notify_key}; "; done
  {
    sys__named_common "$dir" "$port" "$rndc_port" "${tsig[@]}"
    echo "  notify explicit;"
    [[ -n "$also" ]] && echo "  also-notify { $also};"
    cat <<CONF
  ixfr-from-differences yes;
  allow-transfer { $allow };
};
zone "$zone" { type primary; file "$zonefile"; };
CONF
  } >"$dir/named.conf"
  sys__start_named "$name" "$dir" || return 1
  sys__wait_up "$name" "$(cat "$dir/pid")" "$port" "$zone" "$dir/named.log"
}

# sys_start_named_secondary NAME PORT ZONE PRIMARY_PORT [TSIG_NAME TSIG_ALG TSIG_SECRET]
# Starts BIND as a secondary of ZONE from 127.0.0.1#PRIMARY_PORT (with the
# TSIG key on its requests when given). The zone is stored as text in
# $SYS_WORK/NAME/ZONE.db; NOTIFY is accepted from 127.0.0.1; anyone on
# loopback may transfer from it. Waits until the zone is loaded.
sys_start_named_secondary() {
  sys__need_work || return 1
  [[ $# -ge 4 ]] || sys_fail "usage: sys_start_named_secondary NAME PORT ZONE PRIMARY_PORT [TSIG...]" || return 1
  local name=$1 port=$2 zone=$3 primary_port=$4
  shift 4
  local tsig=() keyclause=""
  if [[ $# -ge 3 ]]; then tsig=("$1" "$2" "$3"); keyclause=" key \"$1\""; fi
  local dir="$SYS_WORK/$name"
  mkdir -p "$dir"
  local rndc_port
  rndc_port=$(sys_free_port)
  {
    sys__named_common "$dir" "$port" "$rndc_port" "${tsig[@]}"
    cat <<CONF
  notify no;
  allow-transfer { any; };
};
zone "$zone" {
  type secondary;
  primaries { 127.0.0.1 port $primary_port$keyclause; };
  file "$dir/$zone.db";
  masterfile-format text;
  allow-notify { 127.0.0.1; };
};
CONF
  } >"$dir/named.conf"
  sys__start_named "$name" "$dir" || return 1
  sys__wait_up "$name" "$(cat "$dir/pid")" "$port" "$zone" "$dir/named.log"
}

# sys_trust_anchor PORT ZONE — prints a named `trust-anchors` clause with
# the DNSKEYs of flags 257 that 127.0.0.1#PORT serves for ZONE as static
# keys; fails when there are none.
sys_trust_anchor() {
  local port=$1 zone=$2 keys
  keys=$(dig +short +norec -p "$port" @127.0.0.1 "$zone" DNSKEY | awk '$1 == 257')
  [[ -n "$keys" ]] || sys_fail "no KSK (DNSKEY flags 257) for $zone at port $port" || return 1
  echo "trust-anchors {"
  awk -v z="${zone%.}." '{k = ""; for (i = 4; i <= NF; i++) k = k $i; printf "  \"%s\" static-key %s %s %s \"%s\";\n", z, $1, $2, $3, k}' <<<"$keys"
  echo "};"
}

# sys_start_named_resolver NAME PORT ZONE AUTH_PORT ANCHORS — starts BIND as
# a validating resolver on 127.0.0.1#PORT that asks 127.0.0.1#AUTH_PORT for
# everything in ZONE (forward only) and validates with the trust-anchors
# clause ANCHORS (sys_trust_anchor). It caches as resolvers do (TTLs as
# served, no SERVFAIL cache), so a test that queries it throughout a key
# rollover sees what a real resolver's users see. The root hints point at
# 127.0.0.1: nothing leaves loopback. Waits until it answers.
sys_start_named_resolver() {
  sys__need_work || return 1
  local name=$1 port=$2 zone=$3 auth_port=$4 anchors=$5
  local dir="$SYS_WORK/$name"
  mkdir -p "$dir"
  printf '. 3600000 NS root.\nroot. 3600000 A 127.0.0.1\n' >"$dir/hints.db"
  cat >"$dir/named.conf" <<CONF
options {
  directory "$dir";
  listen-on port $port { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "$dir/named.pid";
  session-keyfile "$dir/session.key";
  managed-keys-directory "$dir";
  recursion yes;
  allow-recursion { 127.0.0.1; };
  dnssec-validation yes;
  servfail-ttl 0;
  notify no;
};
$anchors
zone "." { type hint; file "$dir/hints.db"; };
zone "$zone" { type forward; forward only; forwarders { 127.0.0.1 port $auth_port; }; };
CONF
  sys__start_named "$name" "$dir" || return 1
  local pid i
  pid=$(cat "$dir/pid")
  for ((i = 0; i < 100; i++)); do
    if dig +time=1 +tries=1 -p "$port" @127.0.0.1 "$zone" SOA >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$dir/named.log" >&2; sys_fail "$name exited"; return 1; }
    sleep 0.2
  done
  sys_fail "$name did not answer on port $port within 20 s"
}

# sys_watch_resolver PORT OUT QUERY... — forever (run it in the
# background and kill it): asks the resolver at 127.0.0.1#PORT each QUERY
# ("www.example.test A") with DO every 0.3 s and appends to OUT a line "ok
# QUERY" when the answer is NOERROR or NXDOMAIN with the AD bit, or "BAD
# TIME QUERY status=RCODE" and the whole answer otherwise.
sys_watch_resolver() {
  set +e
  local port=$1 out=$2 answer status q
  shift 2
  while :; do
    for q in "$@"; do
      # shellcheck disable=SC2086
      answer=$(dig +dnssec +time=2 +tries=1 -p "$port" @127.0.0.1 $q 2>&1)
      status=$(awk '/status:/ {gsub(",", "", $6); print $6; exit}' <<<"$answer")
      if [[ $status == NOERROR || $status == NXDOMAIN ]] && grep -qE 'flags:[^;]* ad[ ;]' <<<"$answer"; then
        echo "ok $q" >>"$out"
      elif [[ -n ${SYS_WATCH_INSECURE_OK:-} && ($status == NOERROR || $status == NXDOMAIN) ]]; then
        echo "insecure $q" >>"$out"  # going unsigned: an answer without AD is right once the DS is gone
      else
        { echo "BAD $(date +%T) $q status=$status"; echo "$answer"; } >>"$out"
      fi
    done
    sleep 0.3
  done
}

# sys_watch_report OUT MINIMUM — prints what sys_watch_resolver saw; fails
# (showing the first bad answers) unless every answer validated and there
# were at least MINIMUM. With SYS_WATCH_INSECURE_OK set when the watcher
# started, NOERROR or NXDOMAIN without AD counts too (a zone going unsigned).
sys_watch_report() {
  local out=$1 minimum=$2 good bad insecure
  good=$(grep -c '^ok' "$out" || true)
  bad=$(grep -c '^BAD' "$out" || true)
  insecure=$(grep -c '^insecure' "$out" || true)
  echo "   resolver answers: $good validated, $insecure insecure (allowed by SYS_WATCH_INSECURE_OK), $bad bad"
  good=$((good + insecure))
  if ((bad > 0)); then
    grep -A30 -m3 '^BAD' "$out"
    sys_fail "$bad answers from the validating resolver were not validated"
    return 1
  fi
  ((good >= minimum)) || sys_fail "only $good answers: the watcher did not run"
}

# sys_rndc NAME ARGS... — runs rndc against the named started as NAME
# (e.g. `sys_rndc primary reload example.test`).
sys_rndc() {
  sys__need_work || return 1
  local name=$1
  shift
  rndc -c "$SYS_WORK/$name/rndc.conf" "$@"
}

# sys_named_zone_file NAME ZONE — makes the named secondary started as NAME
# write ZONE's journal into its text zone file (`rndc sync`; named would
# otherwise dump it minutes later), waits up to 10 s until the file holds
# the serial being served, and prints the file's path.
sys_named_zone_file() {
  sys__need_work || return 1
  local name=$1 zone=$2 port want got i
  local file="$SYS_WORK/$name/$zone.db"
  port=$(awk '/listen-on port/ {print $3; exit}' "$SYS_WORK/$name/named.conf")
  want=$(sys_soa_serial "$port" "$zone")
  sys_rndc "$name" sync "$zone" >/dev/null || return 1
  # The dump finishes after rndc returns; named writes the serial on a line
  # of its own ("2024010102 ; serial").
  for ((i = 0; i < 50; i++)); do
    got=$(awk '/; serial/ {print $1; exit}' "$file" 2>/dev/null || true)
    if [[ -n "$want" && "$got" == "$want" ]]; then
      echo "$file"
      return 0
    fi
    sleep 0.2
  done
  sys_fail "$name: $file has serial ${got:-<none>}, not the served ${want:-<none>}"
}

# sys_start_nsd_secondary NAME PORT ZONE PRIMARY_PORT [TSIG_NAME TSIG_ALG TSIG_SECRET]
# Starts NSD (as root, foreground `nsd -d`) as a secondary of ZONE from
# 127.0.0.1@PRIMARY_PORT (IXFR, falling back to AXFR; TSIG when given). The
# zone file is $SYS_WORK/NAME/ZONE.zone; NOTIFY from 127.0.0.1 is accepted
# unsigned or signed with the key; transfers out to 127.0.0.1 need no key.
# Waits until the zone is loaded.
sys_start_nsd_secondary() {
  sys__need_work || return 1
  [[ $# -ge 4 ]] || sys_fail "usage: sys_start_nsd_secondary NAME PORT ZONE PRIMARY_PORT [TSIG...]" || return 1
  local name=$1 port=$2 zone=$3 primary_port=$4
  shift 4
  local key="NOKEY" keyconf=""
  if [[ $# -ge 3 ]]; then
    key=$1
    keyconf=$(printf 'key:\n  name: "%s"\n  algorithm: %s\n  secret: "%s"\n' "$1" "$2" "$3")
  fi
  local dir="$SYS_WORK/$name"
  mkdir -p "$dir"
  cat >"$dir/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$port
  port: $port
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$dir"
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  database: ""
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  server-count: 1
  verbosity: 2
  answer-cookie: no
remote-control:
  control-enable: no
$keyconf
zone:
  name: "$zone"
  zonefile: "$dir/$zone.zone"
  request-xfr: 127.0.0.1@$primary_port $key
  allow-notify: 127.0.0.1 NOKEY
  allow-notify: 127.0.0.1 $key
  provide-xfr: 127.0.0.1 NOKEY
CONF
  nsd-checkconf "$dir/nsd.conf" >&2 || sys_fail "$name: nsd.conf does not check" || return 1
  nsd -d -c "$dir/nsd.conf" >"$dir/nsd.stderr" 2>&1 &
  local pid=$!
  sys_track_pid "$pid"
  echo "$pid" >"$dir/pid"
  sys__wait_up "$name" "$pid" "$port" "$zone" "$dir/nsd.log"
}

# sys_serial_ge A B — true when serial A >= B in RFC 1982 arithmetic.
sys_serial_ge() {
  local a=$1 b=$2
  ((a == b)) && return 0
  (( ((a - b) & 0xFFFFFFFF) < 0x80000000 ))
}

# sys_wait_serial PORT ZONE SERIAL [TIMEOUT_SECONDS=30] — polls the SOA at
# 127.0.0.1#PORT until its serial is >= SERIAL (RFC 1982); fails with the
# last serial seen.
sys_wait_serial() {
  local port=$1 zone=$2 want=$3 timeout=${4:-30} got="" start=$SECONDS
  while ((SECONDS - start < timeout)); do
    got=$(sys_soa_serial "$port" "$zone")
    if [[ -n "$got" ]] && sys_serial_ge "$got" "$want"; then return 0; fi
    sleep 0.2
  done
  sys_fail "port $port zone $zone: serial ${got:-<no answer>} did not reach $want within ${timeout}s"
}

# sys_axfr PORT ZONE [ALG:NAME:SECRET] — prints the zone by AXFR from
# 127.0.0.1#PORT, one record a line, whitespace normalised, sorted, SOA once;
# TSIG records dropped; fails when the transfer fails. Redirect it to a file to compare zones.
sys_axfr() {
  local port=$1 zone=$2 out
  local args=(+onesoa +nocmd +nocomments +nostats +time=5 +tries=1 -p "$port" @127.0.0.1 "$zone" AXFR)
  [[ $# -ge 3 ]] && args+=(-y "$3")
  out=$(dig "${args[@]}" 2>&1) || sys_fail "AXFR $zone from port $port: dig failed: $out" || return 1
  if grep -q '^; Transfer failed' <<<"$out" || ! grep -q '[[:space:]]SOA[[:space:]]' <<<"$out"; then
    sys_fail "AXFR $zone from port $port failed: $out"
    return 1
  fi
  # The TSIG pseudo-records of a signed transfer are not zone data.
  grep -v '^;' <<<"$out" | awk 'NF && $4 != "TSIG" {$1 = $1; print}' | LC_ALL=C sort
}

# sys_delv_validate PORT ZONE NAME TYPE — fetches the DNSKEYs with flags 257
# of ZONE from 127.0.0.1#PORT, makes them a static trust anchor for ZONE, and
# asks delv for NAME TYPE there. Succeeds only when delv says
# "; fully validated" (or, for a name or type that does not exist, "; negative
# response, fully validated"); otherwise prints delv's output and fails.
sys_delv_validate() {
  sys__need_work || return 1
  local port=$1 zone=$2 qname=$3 qtype=$4
  local anchors="$SYS_WORK/anchors.$zone.$port.conf" out
  sys_trust_anchor "$port" "$zone" >"$anchors" || return 1
  out=$(delv -a "$anchors" +root="${zone%.}." -p "$port" @127.0.0.1 "$qname" "$qtype" 2>&1) || true
  if grep -qE '^; (negative response, )?fully validated' <<<"$out"; then return 0; fi
  echo "$out" >&2
  sys_fail "delv did not validate $qname/$qtype in $zone at port $port"
}

# sys_stop_all — stops every process recorded in $SYS_WORK/pids: SIGTERM,
# up to 10 s to exit, then SIGKILL. Safe to call twice and from an EXIT trap.
sys_stop_all() {
  [[ -n "${SYS_WORK:-}" && -f "$SYS_WORK/pids" ]] || return 0
  local pid pids i
  pids=$(cat "$SYS_WORK/pids")
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    local alive=0
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in $pids; do wait "$pid" 2>/dev/null || true; done
  : >"$SYS_WORK/pids"
}
