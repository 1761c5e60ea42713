#!/usr/bin/env bash
# Whole-zone verification, ECDSAP256SHA256, signerd beside its peers in one run:
#   openssl  openssl speed -seconds 3 [-multi 2] ecdsap256: the CPU's
#            verification rate on 1 and on 2 cores
#   signerd  verify_bench: dnssec::verify_zone on 1 thread, and on one per
#            core, each in a process of its own; rows for verify_zone alone
#            (in-process clock) and for the whole process (read and verify,
#            as the peers are timed)
#   bind     dnssec-verify -z (one thread)
#   ldns     ldns-verify-zone (one thread)
# The zone is generated (gen_zone.py) and signed once with one CSK by
# sign_bench (file key, 2 workers); every tool checks that same file.
# Wall time and peak RSS from /usr/bin/time; signatures counted in the file.
#
# On a shared machine the CPU's rate moves from one second to the next, so
# the 2-core rows alternate: ROUNDS times (default 3) openssl -multi 2, then
# signerd on all cores; each round's ratio is printed, and the summary
# takes the best round of each (and the median of the paired ratios).
#
# usage: tests/bench/verify_zone.sh [N_NAMES] [BUILD_DIR] [nsec|nsec3] [ROUNDS]
set -euo pipefail
n=${1:-100000}
build=$(cd "${2:-build}" && pwd)
denial=${3:-nsec}
rounds=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
origin=bench.example.
for b in sign_bench verify_bench; do
  [ -x "$build/bin/$b" ] || { echo "build $b first (cmake --build $build --target $b)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
zone=$work/bench.zone
signed=$work/signed.zone
python3 "$here/gen_zone.py" "$n" "$origin" >"$zone"
nsec3=()
[ "$denial" = nsec3 ] && nsec3=(nsec3)
mkdir -p "$work/pem"
"$build/bin/sign_bench" "$zone" "$origin" "$signed" pem "$work/pem" 2 "${nsec3[@]}" >"$work/sign.log" 2>&1 ||
  { echo "signing failed:"; tail -5 "$work/sign.log"; exit 1; }
sigs=$(awk '$4 == "RRSIG" {c++} END {print c+0}' "$signed")
echo "zone: $n names, $(grep -c . "$signed") records signed, $sigs RRSIGs," \
  "$(($(stat -c %s "$signed") / 1048576)) MiB, $denial"
cat "$signed" >/dev/null  # into the page cache before the first tool reads it

openssl_verify() {  # PROCESSES: verify/s of ecdsap256, all processes together
  local multi=()
  [ "$1" -gt 1 ] && multi=(-multi "$1")
  openssl speed -seconds 3 "${multi[@]}" ecdsap256 2>/dev/null | awk '/256 bits ecdsa/ {v = $NF} END {print v + 0}'
}

results=$work/results  # NAME SECONDS KB [VERIFY_SECONDS]
run() {                # NAME COMMAND...: wall time and peak RSS
  local name=$1
  shift
  if /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/$name.log" 2>&1; then
    read -r secs kb <"$work/time"
    # verify_bench: "threads T seconds S signatures G rrsets R denial D rate V"
    local vsecs
    vsecs=$(awk '$1 == "threads" {print $4}' "$work/$name.log")
    echo "$name $secs $kb $vsecs" >>"$results"
  else
    echo "$name failed:"
    tail -5 "$work/$name.log"
  fi
}

echo "== openssl speed ecdsap256, 1 process"
o1=$(openssl_verify 1)
echo "   $o1 verify/s"
echo "== signerd verify_zone, 1 thread"
run signerd-1 "$build/bin/verify_bench" "$signed" "$origin" 1
sed 's/^/   /' "$work/signerd-1.log"
pairs=$work/pairs  # OPENSSL_2 SIGNERD_N_RATE
for ((r = 1; r <= rounds; r++)); do
  echo "== round $r: openssl speed -multi 2 ecdsap256, then signerd verify_zone on one thread per core"
  o2=$(openssl_verify 2)
  run "signerd-n$r" "$build/bin/verify_bench" "$signed" "$origin" 0
  rate=$(awk -v r="signerd-n$r" -v g="$sigs" '$1 == r {print g / $4}' "$results")
  echo "$o2 $rate" >>"$pairs"
  awk -v o="$o2" -v s="$rate" -v t="$(awk '$1 == "threads" {print $2}' "$work/signerd-n$r.log")" 'BEGIN {
    printf "   openssl 2 cores %.0f verify/s; signerd %d threads %.0f verify/s: %.2f\n", o, t, s, s / o }'
done
if command -v dnssec-verify >/dev/null; then
  echo "== dnssec-verify -z"
  run bind dnssec-verify -z -o "$origin" "$signed"
fi
if command -v ldns-verify-zone >/dev/null; then
  echo "== ldns-verify-zone"
  run ldns ldns-verify-zone "$signed"
fi

o2=$(sort -g "$pairs" | tail -1 | awk '{print $1}')
best_n=$(awk '$1 ~ /^signerd-n/ {print $1, $4}' "$results" | sort -k2 -g | head -1 | awk '{print $1}')
paired=$(awk '{print $2 / $1}' "$pairs" | sort -g | awk '{v[NR] = $1} END {printf "%.2f", v[int((NR + 1) / 2)]}')
echo
echo "openssl verify/s: 1 core $o1, 2 cores $o2 (best of $rounds); ours on all cores / openssl 2 cores," \
  "median of the paired rounds: $paired"
printf "%-30s %8s %10s %10s %11s %11s\n" what "s" "peak MiB" "verify/s" "/openssl-1" "/openssl-2"
row() {  # NAME SECONDS KB
  awk -v n="$1" -v s="$2" -v kb="$3" -v g="$sigs" -v o1="$o1" -v o2="$o2" 'BEGIN {
    r = s > 0 ? g / s : 0
    printf "%-30s %8.2f %10s %10.0f %11.2f %11.2f\n", n, s, (kb > 0 ? sprintf("%.1f", kb / 1024) : "-"), r,
      (o1 > 0 ? r / o1 : 0), (o2 > 0 ? r / o2 : 0)
  }'
}
threads=$(awk '$1 == "threads" {print $2}' "$work/$best_n.log")
while read -r name secs kb vsecs; do
  case $name in
    signerd-1)
      row "signerd verify_zone, 1 thr" "$vsecs" 0
      row "signerd process, 1 thread" "$secs" "$kb"
      ;;
    "$best_n")
      row "signerd verify_zone, $threads thr" "$vsecs" 0
      row "signerd process, $threads threads" "$secs" "$kb"
      ;;
    bind) row "dnssec-verify -z" "$secs" "$kb" ;;
    ldns) row "ldns-verify-zone" "$secs" "$kb" ;;
  esac
done <"$results"
