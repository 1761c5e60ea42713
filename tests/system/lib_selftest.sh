#!/usr/bin/env bash
# tests/system/lib_selftest.sh — proves tests/system/lib.sh against the real
# servers: a BIND primary (with TSIG) feeding a BIND and an NSD secondary, a
# serial bump reaching both through NOTIFY, equal AXFRs, and delv
# validation of a dnssec-signzone'd zone (and its failure on an unsigned one).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/system/lib.sh
source "$here/lib.sh"

SYS_WORK=$(mktemp -d /tmp/sys_selftest.XXXXXX)
export SYS_WORK
cleanup() {
  local rc=$?
  sys_stop_all
  sys_release_ports
  if ((rc == 0)); then rm -rf "$SYS_WORK"; else echo "FAILED; work dir kept: $SYS_WORK" >&2; fi
  exit "$rc"
}
trap cleanup EXIT

step() { echo "== $*"; }

zone=example.test
zonefile="$SYS_WORK/$zone.db"
write_zone() {
  cat >"$zonefile" <<ZONE
\$TTL 300
@    IN SOA ns1.$zone. hostmaster.$zone. $1 3600 600 86400 300
@    IN NS  ns1.$zone.
ns1  IN A   127.0.0.1
www  IN A   192.0.2.1
mail IN MX  10 www.$zone.
txt  IN TXT "serial $1"
ZONE
}

step "the RFC 1982 comparison"
sys_serial_ge 5 5
sys_serial_ge 6 5
sys_serial_ge 1 4294967295
for pair in "5 6" "4294967295 1" "0 2147483648"; do
  # shellcheck disable=SC2086
  if sys_serial_ge $pair; then
    echo "sys_serial_ge $pair should be false" >&2
    exit 1
  fi
done

step "free ports"
p_primary=$(sys_free_port)
p_named2=$(sys_free_port)
p_nsd=$(sys_free_port)
p_signed=$(sys_free_port)
echo "primary $p_primary, named secondary $p_named2, nsd secondary $p_nsd, signed $p_signed"

tsig=(xfr-key hmac-sha256 "$(head -c 32 /dev/urandom | base64)")
dig_tsig="hmac-sha256:${tsig[0]}:${tsig[2]}"

step "named primary with TSIG, notifying both secondaries"
write_zone 2024010101
sys_start_named_primary primary "$p_primary" "$zone" "$zonefile" "${tsig[@]}" "$p_named2 $p_nsd"
[[ $(sys_soa_serial "$p_primary" "$zone") == 2024010101 ]]
if sys_axfr "$p_primary" "$zone" >/dev/null 2>&1; then
  echo "AXFR without the TSIG key was allowed" >&2
  exit 1
fi

step "named and NSD secondaries"
sys_start_named_secondary sec-named "$p_named2" "$zone" "$p_primary" "${tsig[@]}"
sys_start_nsd_secondary sec-nsd "$p_nsd" "$zone" "$p_primary" "${tsig[@]}"
sys_wait_serial "$p_named2" "$zone" 2024010101
sys_wait_serial "$p_nsd" "$zone" 2024010101

step "serial bump + rndc reload reaches both"
write_zone 2024010102
sys_rndc primary reload "$zone"
sys_wait_serial "$p_primary" "$zone" 2024010102 10
sys_wait_serial "$p_named2" "$zone" 2024010102 30
sys_wait_serial "$p_nsd" "$zone" 2024010102 30
if sys_wait_serial "$p_nsd" "$zone" 2024010103 1 2>/dev/null; then
  echo "sys_wait_serial accepted a serial that was never served" >&2
  exit 1
fi

step "AXFR of both secondaries equals the primary's"
sys_axfr "$p_primary" "$zone" "$dig_tsig" >"$SYS_WORK/axfr.primary"
sys_axfr "$p_named2" "$zone" >"$SYS_WORK/axfr.named"
sys_axfr "$p_nsd" "$zone" >"$SYS_WORK/axfr.nsd"
grep -q 'serial 2024010102' "$SYS_WORK/axfr.primary"
diff -u "$SYS_WORK/axfr.primary" "$SYS_WORK/axfr.named"
diff -u "$SYS_WORK/axfr.primary" "$SYS_WORK/axfr.nsd"
grep -q 'serial 2024010102' "$(sys_named_zone_file sec-named "$zone")"

step "delv validates a dnssec-signzone'd zone"
szone=signed.test
sdir="$SYS_WORK/signing"
mkdir -p "$sdir"
cat >"$sdir/$szone.db" <<ZONE
\$TTL 300
@    IN SOA ns1.$szone. hostmaster.$szone. 1 3600 600 86400 300
@    IN NS  ns1.$szone.
ns1  IN A   127.0.0.1
www  IN A   192.0.2.7
ZONE
dnssec-keygen -q -K "$sdir" -a ECDSAP256SHA256 -f KSK "$szone" >/dev/null
dnssec-keygen -q -K "$sdir" -a ECDSAP256SHA256 "$szone" >/dev/null
dnssec-signzone -q -S -K "$sdir" -d "$sdir" -o "$szone" -f "$sdir/$szone.signed" "$sdir/$szone.db" >/dev/null
sys_start_named_primary signed "$p_signed" "$szone" "$sdir/$szone.signed"
sys_delv_validate "$p_signed" "$szone" "www.$szone" A

step "delv validation fails where it must"
if sys_delv_validate "$p_primary" "$zone" "www.$zone" A 2>/dev/null; then
  echo "an unsigned zone validated" >&2
  exit 1
fi
# The same signed zone with one record changed after signing, served by
# its own primary: its RRSIG no longer matches.
sed 's/192\.0\.2\.7/192.0.2.8/' "$sdir/$szone.signed" >"$sdir/$szone.forged"
cmp -s "$sdir/$szone.signed" "$sdir/$szone.forged" && exit 1
p_forged=$(sys_free_port)
sys_start_named_primary forged "$p_forged" "$szone" "$sdir/$szone.forged"
[[ $(dig +short -p "$p_forged" @127.0.0.1 "www.$szone" A) == 192.0.2.8 ]]
if sys_delv_validate "$p_forged" "$szone" "www.$szone" A 2>/dev/null; then
  echo "a forged record validated" >&2
  exit 1
fi

step "sys_watch_resolver reports what does not validate"
# A name the forged server answers unsigned, with no resolver at all: every
# answer is bad, and the report must fail on them.
dead=$(sys_free_port)
sys_watch_resolver "$dead" "$SYS_WORK/watch.bad" "www.$szone A" &
watcher=$!
sleep 1.5
kill "$watcher"
wait "$watcher" 2>/dev/null || true
grep -q '^BAD' "$SYS_WORK/watch.bad" || { echo "the watcher saw no failures with no resolver" >&2; exit 1; }
if sys_watch_report "$SYS_WORK/watch.bad" 1 2>/dev/null; then
  echo "sys_watch_report passed answers that did not validate" >&2
  exit 1
fi

step "sys_stop_all stops every process"
pids=$(cat "$SYS_WORK/pids")
sys_stop_all
for pid in $pids; do
  if kill -0 "$pid" 2>/dev/null; then
    echo "pid $pid still running" >&2
    exit 1
  fi
done
echo "PASS"
