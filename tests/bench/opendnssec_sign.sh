#!/usr/bin/env bash
# Full-zone signing with OpenDNSSEC 2.1 (ods-enforcerd + ods-signerd), keys in
# SoftHSM2: the HSM-backed peer of tests/bench/sign_zone.sh.
#
#   tests/bench/opendnssec_sign.sh ZONE_FILE ORIGIN OUT_FILE [nsec|nsec3] [SIGNER_THREADS]
#
# Installs opendnssec-signer and opendnssec-enforcer-sqlite3 if missing (no
# service is started: policy-rc.d refuses). Everything else lives in a fresh
# temp dir: a SoftHSM2 token (deploy/hsm-init.sh), conf.xml / kasp.xml /
# zonelist.xml, the sqlite KASP db, working dirs, pid files and control
# sockets. One policy: a single ECDSAP256SHA256 CSK; NSEC, or NSEC3 with 0
# iterations, empty salt, no opt-out; 90-day signature validity.
#
# Sequence: the enforcer imports the policy and the zone, generates the CSK in
# the token and writes the signer configuration; then the signer is started
# with an EMPTY zone list (its own copy of conf.xml points at a separate
# zonelist file), so it has nothing to sign yet. The clock starts when the
# zone is handed to it (zonelist copied in, `ods-signer update --all`, then
# `ods-signer sign ZONE`) and stops when the signer's NotifyCommand reports
# the signed zone written to OUT_FILE. Prints
#   opendnssec: SECONDS s signing (from sign command to output written)
# Every process started is stopped by pid; the temp dir is removed.
#
# Root is needed only to install the packages; the daemons are run without a
# Privileges section (they stay the invoking user).
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 5 ]; then
  echo "usage: $0 ZONE_FILE ORIGIN OUT_FILE [nsec|nsec3] [SIGNER_THREADS]" >&2
  exit 2
fi
zone_in=$(realpath "$1")
origin=$2
out=$(realpath -m "$3")
denial=${4:-nsec}
threads=${5:-2}
case $denial in nsec | nsec3) ;; *) echo "denial must be nsec or nsec3" >&2; exit 2 ;; esac
case $threads in '' | *[!0-9]* | 0) echo "SIGNER_THREADS must be a positive integer" >&2; exit 2 ;; esac
[ -r "$zone_in" ] || { echo "cannot read $zone_in" >&2; exit 1; }
zone=${origin%.}            # OpenDNSSEC names zones without the final dot
[ -n "$zone" ] || zone=.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
timeout_s=${ODS_TIMEOUT:-1800}   # bound on every wait below

# --- packages ----------------------------------------------------------------
packages=(opendnssec-signer opendnssec-enforcer-sqlite3 softhsm2 sqlite3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    added_policy=1
  fi
  echo "opendnssec_sign: installing ${missing[*]}" >&2
  rc=0
  { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive \
      $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; }; } >&2 || rc=$?
  [ "$added_policy" -eq 0 ] || $SUDO rm -f "$policy"
  [ "$rc" -eq 0 ] || { echo "opendnssec_sign: package install failed" >&2; exit 1; }
fi
softhsm_lib=/usr/lib/softhsm/libsofthsm2.so
[ -e "$softhsm_lib" ] || { echo "missing $softhsm_lib" >&2; exit 1; }

# --- temp dir, cleanup -------------------------------------------------------
work=$(mktemp -d)
pids=()
cleanup() {
  local rc=$? p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    # daemons flush state on SIGTERM; give them a bounded time, then SIGKILL
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ] && [ -z "${ODS_KEEP:-}" ]; then
    for f in "$work"/log/*.log; do
      [ -s "$f" ] && { echo "--- $f (tail)" >&2; tail -15 "$f" >&2; }
    done
  fi
  if [ -n "${ODS_KEEP:-}" ]; then echo "opendnssec_sign: kept $work" >&2; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work"/{log,run,enforcer,signer,signconf,unsigned,db}
bash "$root/deploy/hsm-init.sh" "$work/hsm" ods >/dev/null
export SOFTHSM2_CONF=$work/hsm/softhsm2.conf
pin=$(cat "$work/hsm/pin")
cp "$zone_in" "$work/unsigned/$zone"
rm -f "$out"

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }

# The signer calls NotifyCommand (split on spaces) after writing the output.
cat >"$work/notify.sh" <<'SH'
#!/bin/sh
date +%s.%N >"$(dirname "$0")/notified.tmp" && mv "$(dirname "$0")/notified.tmp" "$(dirname "$0")/notified"
SH
chmod 755 "$work/notify.sh"

# ods-signerd takes its zone list not from Common/ZoneListFile but from the
# zones.xml the enforcer exports into Enforcer/WorkingDirectory. conf.xml is
# the enforcer's; conf-signer.xml differs only in that directory (and in
# ZoneListFile), so the signer starts with an empty zone list and gets the
# zone only when the clock starts.
write_conf() {  # FILE ZONELIST ENFORCER_WORKING_DIR
  cat >"$1" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Configuration>
  <RepositoryList>
    <Repository name="SoftHSM">
      <Module>$softhsm_lib</Module>
      <TokenLabel>ods</TokenLabel>
      <PIN>$(printf '%s' "$pin" | xml_escape)</PIN>
      <SkipPublicKey/>
    </Repository>
  </RepositoryList>
  <Common>
    <Logging><Verbosity>3</Verbosity></Logging>
    <PolicyFile>$work/kasp.xml</PolicyFile>
    <ZoneListFile>$2</ZoneListFile>
  </Common>
  <Enforcer>
    <Datastore><SQLite>$work/db/kasp.db</SQLite></Datastore>
    <AutomaticKeyGenerationPeriod>P1Y</AutomaticKeyGenerationPeriod>
    <PidFile>$work/run/enforcerd.pid</PidFile>
    <SocketFile>$work/run/enforcer.sock</SocketFile>
    <WorkingDirectory>$3</WorkingDirectory>
    <WorkerThreads>1</WorkerThreads>
  </Enforcer>
  <Signer>
    <WorkingDirectory>$work/signer</WorkingDirectory>
    <WorkerThreads>$threads</WorkerThreads>
    <SignerThreads>$threads</SignerThreads>
    <NotifyCommand>$work/notify.sh %zone</NotifyCommand>
  </Signer>
</Configuration>
XML
}
write_conf "$work/conf.xml" "$work/zonelist.xml" "$work/enforcer"
write_conf "$work/conf-signer.xml" "$work/zonelist-signer.xml" "$work/signer-zones"

if [ "$denial" = nsec3 ]; then
  denial_xml='<NSEC3><Resalt>P100D</Resalt><Hash><Algorithm>1</Algorithm><Iterations>0</Iterations><Salt length="0"/></Hash></NSEC3>'
else
  denial_xml='<NSEC/>'
fi
cat >"$work/kasp.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<KASP>
  <Policy name="bench">
    <Description>signerd benchmark: one ECDSAP256SHA256 CSK</Description>
    <Signatures>
      <Resign>P1D</Resign>
      <Refresh>P30D</Refresh>
      <Validity><Default>P90D</Default><Denial>P90D</Denial></Validity>
      <Jitter>PT0S</Jitter>
      <InceptionOffset>PT3600S</InceptionOffset>
      <MaxZoneTTL>P1D</MaxZoneTTL>
    </Signatures>
    <Denial>$denial_xml</Denial>
    <Keys>
      <TTL>PT3600S</TTL>
      <RetireSafety>PT3600S</RetireSafety>
      <PublishSafety>PT3600S</PublishSafety>
      <Purge>P14D</Purge>
      <CSK>
        <Algorithm length="256">13</Algorithm>
        <Lifetime>P10Y</Lifetime>
        <Repository>SoftHSM</Repository>
      </CSK>
    </Keys>
    <Zone>
      <PropagationDelay>PT0S</PropagationDelay>
      <SOA><TTL>PT3600S</TTL><Minimum>PT300S</Minimum><Serial>unixtime</Serial></SOA>
    </Zone>
    <Parent>
      <PropagationDelay>PT0S</PropagationDelay>
      <DS><TTL>PT3600S</TTL></DS>
      <SOA><TTL>PT3600S</TTL><Minimum>PT300S</Minimum></SOA>
    </Parent>
  </Policy>
</KASP>
XML

zonelist_xml() {  # with the zone (1) or empty (0)
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<ZoneList>'
  if [ "$1" = 1 ]; then
    cat <<XML
  <Zone name="$zone">
    <Policy>bench</Policy>
    <SignerConfiguration>$work/signconf/$zone.xml</SignerConfiguration>
    <Adapters>
      <Input><Adapter type="File">$work/unsigned/$zone</Adapter></Input>
      <Output><Adapter type="File">$out</Adapter></Output>
    </Adapters>
  </Zone>
XML
  fi
  echo '</ZoneList>'
}
zonelist_xml 1 >"$work/zonelist.xml"
zonelist_xml 0 >"$work/zonelist-signer.xml"
mkdir -p "$work/signer-zones"
zonelist_xml 0 >"$work/signer-zones/zones.xml"
# The signer rereads zones.xml only if its mtime (in whole seconds) changed;
# backdate the empty one so the copy made within the same second still counts.
touch -d '2000-01-01 00:00:00' "$work/signer-zones/zones.xml"

wait_for() {  # SECONDS DESCRIPTION COMMAND...: poll COMMAND until it succeeds
  local limit=$1 what=$2 t=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    for p in "${pids[@]}"; do
      kill -0 "$p" 2>/dev/null || { echo "opendnssec_sign: a daemon (pid $p) exited while waiting for $what" >&2; return 1; }
    done
    [ "$t" -lt $((limit * 10)) ] || { echo "opendnssec_sign: timed out waiting for $what" >&2; return 1; }
    sleep 0.1
    t=$((t + 1))
  done
}
ods_enforcer() { ods-enforcer -s "$work/run/enforcer.sock" "$@"; }
ods_signer() { ods-signer -s "$work/run-signer/engine.sock" "$@"; }

# --- enforcer ------------------------------------------------------------------
# ods-enforcer-db-setup has no -c and reads /etc/opendnssec/conf.xml; run it in
# a private mount namespace with our conf.xml bound over that path. Without
# unshare, create the same schema from the packaged schema.sqlite.
# shellcheck disable=SC2016 # $1 is expanded by the inner sh
if ! unshare -m sh -c 'mount --bind "$1" /etc/opendnssec/conf.xml && exec ods-enforcer-db-setup -f' \
  sh "$work/conf.xml" >"$work/log/db-setup.log" 2>&1; then
  rm -f "$work/db/kasp.db"
  sqlite3 "$work/db/kasp.db" <"/usr/share/opendnssec/schema.sqlite"
  sqlite3 "$work/db/kasp.db" 'INSERT INTO databaseVersion (version) VALUES (1);'
fi

ods-enforcerd -c "$work/conf.xml" -d >"$work/log/enforcerd.log" 2>&1 &
pids+=($!)
wait_for 60 "the enforcer socket" test -S "$work/run/enforcer.sock"
wait_for 60 "the enforcer to answer" ods_enforcer running
{
  ods_enforcer policy import
  ods_enforcer zonelist import
  ods_enforcer key generate --policy bench --duration P1Y
  ods_enforcer enforce
} >>"$work/log/enforcer-cli.log" 2>&1
signconf=$work/signconf/$zone.xml
has_key() {
  ods_enforcer signconf >/dev/null 2>&1
  grep -q '<Locator>' "$signconf" && grep -qF "<Zone name=\"$zone\">" "$work/enforcer/zones.xml"
}
wait_for 120 "the enforcer to write $signconf with a key and export zones.xml" has_key

# --- signer --------------------------------------------------------------------
# conf.rng has no Signer/PidFile or Signer/SocketFile, so ods-signerd always
# uses /run/opendnssec/{signerd.pid,engine.sock}: give it a private mount
# namespace with $work/run-signer bound over /run/opendnssec. unshare and sh
# exec, so $! is ods-signerd's own pid.
mkdir -p "$work/run-signer"
[ -d /run/opendnssec ] || mkdir -p /run/opendnssec
# shellcheck disable=SC2016 # $1 and $@ are expanded by the inner sh
unshare -m sh -c 'mount --bind "$1" /run/opendnssec && shift && exec "$@"' sh "$work/run-signer" \
  ods-signerd -c "$work/conf-signer.xml" -d >"$work/log/signerd.log" 2>&1 &
pids+=($!)
wait_for 60 "the signer socket" test -S "$work/run-signer/engine.sock"
wait_for 60 "the signer to answer" ods_signer running

# The zone reaches the signer here: its zones.xml gets the zone and
# `ods-signer update --all` rereads it, which schedules the new zone for
# reading and a full signing. That is the sign command; a further
# `ods-signer sign ZONE` would be redundant (signerd logs "unable to schedule
# task [sign] ... already present") or, on a small zone already finished,
# start a second signing pass.
start=$(date +%s.%N)
cp "$work/enforcer/zones.xml" "$work/signer-zones/zones.xml"
cp "$work/zonelist.xml" "$work/zonelist-signer.xml"
ods_signer update --all >"$work/log/signer-update.log" 2>&1 || true
cat "$work/log/signer-update.log" >>"$work/log/signer-cli.log"
grep -q '1 added' "$work/log/signer-update.log" ||
  { echo "opendnssec_sign: the signer did not take the zone: $(tail -1 "$work/log/signer-update.log")" >&2; exit 1; }
wait_for "$timeout_s" "the signed zone" test -e "$work/notified"
end=$(cat "$work/notified")
[ -s "$out" ] || { echo "opendnssec_sign: $out missing after notify" >&2; exit 1; }
awk -v s="$start" -v e="$end" 'BEGIN { printf "opendnssec: %.2f s signing (from sign command to output written)\n", e - s }'
