#!/usr/bin/env bash
# Times reading one generated zone with signerd, ldns and BIND, and prints a
# table: wall time, peak RSS, ratios to signerd's, the zone file's size and
# whether signerd's peak RSS stays within 2 x the file size (the goal).
#
# usage: tests/bench/zone_parse.sh [N_NAMES] [BUILD_DIR]
#   N_NAMES    default 1000000
#   BUILD_DIR  default ./build (needs bin/zone_parse_bench)
#
# What each tool does (comparable work: parse every record, build an
# in-memory zone, check it):
#   signerd  zone_parse_bench: libzscanner -> ZoneBuilder -> ZoneVersion
#            (sorted, classified, checked), nothing printed
#   ldns     ldns-read-zone FILE > /dev/null: parse into ldns_rr objects,
#            then print the zone (to /dev/null)
#   bind     named-checkzone -q -i local ORIGIN FILE: load into an RBT
#            database and run its in-zone checks, nothing printed (-i local:
#            the default "full" looks up out-of-zone names over the network)
set -euo pipefail

n=${1:-1000000}
build=${2:-build}
here=$(cd "$(dirname "$0")" && pwd)
bench_bin=$build/bin/zone_parse_bench
origin=bench.example.
[ -x "$bench_bin" ] || { echo "no $bench_bin: build target zone_parse_bench first" >&2; exit 1; }
for tool in ldns-read-zone named-checkzone /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install ldnsutils bind9-utils time)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
zone=$work/bench.zone
python3 "$here/gen_zone.py" "$n" "$origin" >"$zone"
size=$(stat -c %s "$zone")

# Reads the file once so that every tool starts with it in the page cache.
cat "$zone" >/dev/null

run() {  # NAME COMMAND... -> "NAME SECONDS PEAK_KB"
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
    echo "$name failed:" >&2
    tail -5 "$work/$name.err" >&2
    exit 1
  }
  echo "$name $(cat "$work/time")"
}

results=$(
  run signerd "$bench_bin" "$zone" "$origin"
  run ldns sh -c 'exec ldns-read-zone "$1" >/dev/null' sh "$zone"
  run bind named-checkzone -q -i local "$origin" "$zone"
)

echo "zone: $n names, $(wc -l <"$zone") lines, $((size / 1024 / 1024)) MiB ($size bytes)"
echo "signerd: $(cat "$work/signerd.out")"
awk -v size="$size" '
  NR == 1 { base_s = $2; base_kb = $3 }
  { name[NR] = $1; s[NR] = $2; kb[NR] = $3 }
  END {
    printf "%-8s %10s %12s %10s %10s\n", "tool", "wall s", "peak RSS MB", "time/ours", "RSS/ours"
    for (i = 1; i <= NR; i++)
      printf "%-8s %10.2f %12.1f %10.2f %10.2f\n", name[i], s[i], kb[i] / 1024, s[i] / base_s, kb[i] / base_kb
    ratio = base_kb * 1024 / size
    printf "signerd peak RSS = %.2f x file size: %s\n", ratio, (ratio <= 2 ? "within the 2x goal" : "OVER the 2x goal")
  }' <<<"$results"
