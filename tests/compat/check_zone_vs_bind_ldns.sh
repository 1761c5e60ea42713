#!/usr/bin/env bash
# Reads tests/data/zones/corner.example.zone with signerctl check-zone,
# BIND 9 (named-checkzone) and ldns (ldns-read-zone), and requires the same
# records from all three, octet for octet.
#
# usage: bash check_zone_vs_bind_ldns.sh SIGNERCTL DATA_DIR
#
# No tool's text is compared with another tool's text (each prints names,
# hex and TTLs its own way). Instead each comparison runs two texts through
# ONE reader and compares what that reader makes of them:
#   A. ldns-read-zone -U NULL prints every record as RFC 3597 octets; our
#      --generic does the same. ldns(source) == ours(source): two independent
#      parsers read the same octets.
#   B. named-checkzone -D reads the source and our printed zone: same dump.
#   C. ldns-read-zone -U NULL reads the source and our printed zone: same octets.
#   D. named-checkzone -D reads the source and ldns's printed zone: same dump
#      (BIND and ldns agree with each other, so A-C compare with a consensus).
#   E. signerctl reads its own printed zone back to the same octets.
# Each record list is sorted; whitespace between the owner, TTL, class and
# type fields is collapsed; RDATA text is compared as printed. BIND runs with
# -i local: its default checks look out-of-zone names up over the network.
set -euo pipefail

signerctl=${1:?usage: $0 SIGNERCTL DATA_DIR}
data=${2:?usage: $0 SIGNERCTL DATA_DIR}
zone=corner.example
zones_dir=$data/zones
src=$zone.zone

for tool in named-checkzone ldns-read-zone; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: $tool not found (apt-get install bind9-utils ldnsutils)" >&2
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# BIND and ldns resolve $INCLUDE against the working directory, zscanner
# against the including file's directory: run where both agree.
cd "$zones_dir"

failures=0

norm() {
  sed -E 's/^([^[:space:]]+)[[:space:]]+([^[:space:]]+)[[:space:]]+([^[:space:]]+)[[:space:]]+([^[:space:]]+)[[:space:]]*/\1 \2 \3 \4 /' |
    grep -v '^;' | grep -v '^[[:space:]]*$' | LC_ALL=C sort
}

# ldns-read-zone 1.8 has no $INCLUDE: expand it in place, keeping origins.
expand_includes() {
  awk '
    /^\$ORIGIN/ { origin = $2 }
    /^\$INCLUDE/ {
      if ($3 != "") print "$ORIGIN " $3
      while ((getline line < $2) > 0) print line
      close($2)
      print "$ORIGIN " origin
      next
    }
    { print }' "$1"
}

bind_read() {  # FILE -> BIND's dump of it
  named-checkzone -q -i local -D -o "$work/bind.tmp" "$zone" "$1" >/dev/null 2>"$work/bind.err" || {
    echo "named-checkzone failed on $1:" >&2
    cat "$work/bind.err" >&2
    named-checkzone -i local -D -o /dev/null "$zone" "$1" >&2 || true
    return 1
  }
  norm <"$work/bind.tmp"
}

ldns_read() {  # FILE -> ldns's RFC 3597 octets
  ldns-read-zone -U NULL "$1" 2>"$work/ldns.err" | norm || {
    echo "ldns-read-zone failed on $1:" >&2
    cat "$work/ldns.err" >&2
    return 1
  }
  if grep -qi error "$work/ldns.err"; then
    cat "$work/ldns.err" >&2
    return 1
  fi
}

ours_read() {  # FILE [--generic] -> our output
  "$signerctl" check-zone --zone "$zone" --in "$1" ${2:-} 2>"$work/ours.err" | norm || {
    echo "signerctl check-zone failed on $1:" >&2
    cat "$work/ours.err" >&2
    return 1
  }
}

same() {  # LABEL EXPECTED_FILE ACTUAL_FILE
  if diff -u --label "$2" --label "$3" "$work/$2" "$work/$3" >"$work/diff"; then
    echo "ok   $1 ($(wc -l <"$work/$2") records)"
  else
    echo "FAIL $1:"
    cat "$work/diff"
    failures=$((failures + 1))
  fi
}

expand_includes "$src" >"$work/expanded.zone"
"$signerctl" check-zone --zone "$zone" --in "$src" >"$work/ours.txt"
ldns-read-zone "$work/expanded.zone" >"$work/ldns.txt" 2>/dev/null

ldns_read "$work/expanded.zone" >"$work/ldns_src"
ours_read "$src" --generic >"$work/ours_src"
same "A: ldns and signerctl read the source to the same octets" ldns_src ours_src

bind_read "$src" >"$work/bind_src"
bind_read "$work/ours.txt" >"$work/bind_ours"
same "B: BIND reads our printed zone as it reads the source" bind_src bind_ours

ldns_read "$work/ours.txt" >"$work/ldns_ours"
same "C: ldns reads our printed zone as it reads the source" ldns_src ldns_ours

bind_read "$work/ldns.txt" >"$work/bind_ldns"
same "D: BIND reads ldns's printed zone as it reads the source" bind_src bind_ldns

ours_read "$work/ours.txt" --generic >"$work/ours_ours"
same "E: signerctl reads its own printed zone back" ours_src ours_ours

if [ "$failures" -ne 0 ]; then
  echo "check_zone_vs_bind_ldns: $failures comparison(s) failed"
  exit 1
fi
echo "check_zone_vs_bind_ldns: all comparisons passed"
