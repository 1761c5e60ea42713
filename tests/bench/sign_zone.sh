#!/usr/bin/env bash
# Full-zone signing, ECDSAP256SHA256, signerd beside its peers in one run:
#   limit    openssl speed -multi 2 ecdsap256 (the CPU's signing rate)
#   softhsm  raw C_Sign rate through SoftHSM2, 1 and 2 threads (hsm_unit_tests SignRate)
#   signerd  sign_bench with a SoftHSM2 key (pkcs11) and with a file key (pem), 2 workers
#   ldns     ldns-signzone (file key, single-threaded)
#   bind     dnssec-signzone -n 2 -P (file key, 2 threads, no post-sign verification)
#   knot     kzonesign (file key in a KASP db, signing-threads 2)
#   ods      OpenDNSSEC 2.1's signer with its key in SoftHSM2, 2 threads
#            (opendnssec_sign.sh; time from the sign command to the output
#            written; its daemons' memory is not measured)
# Each signs the same generated zone with one CSK; wall time and peak RSS
# from /usr/bin/time; signatures counted in each output.
#
# usage: tests/bench/sign_zone.sh [N_NAMES] [BUILD_DIR] [nsec|nsec3]
set -euo pipefail
n=${1:-100000}
build=$(cd "${2:-build}" && pwd)
denial=${3:-nsec}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
origin=bench.example.
for b in sign_bench hsm_unit_tests; do
  [ -x "$build/bin/$b" ] || { echo "build $b first (cmake --build $build --target $b)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
zone=$work/bench.zone
python3 "$here/gen_zone.py" "$n" "$origin" >"$zone"
echo "zone: $n names, $(grep -vc '^\$' "$zone") records, $(($(stat -c %s "$zone") / 1048576)) MiB, $denial"

results=$work/results
run() {  # NAME OUTPUT_FILE COMMAND...
  local name=$1 out=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/$name.log" 2>&1 ||
    { echo "$name failed:"; tail -5 "$work/$name.log"; return 0; }
  local sigs=0
  [ -s "$out" ] && sigs=$(awk '$4 == "RRSIG" || $3 == "RRSIG" {c++} END {print c+0}' "$out")
  read -r secs kb <"$work/time"
  echo "$name $secs $kb $sigs" >>"$results"
}

echo "== limit: openssl speed -multi 2 ecdsap256"
limit=$(openssl speed -seconds 3 -multi 2 ecdsap256 2>/dev/null | awk '/256 bits ecdsa/ {print $(NF-1)}' | tail -1)
echo "   $limit sign/s"
echo "== softhsm: raw C_Sign"
(cd "$work" && "$build/bin/hsm_unit_tests" --gtest_also_run_disabled_tests --gtest_filter='SignRate.*' 2>/dev/null |
  grep -E "sig/s" | sed 's/^/   /') || true

nsec3_ldns=() nsec3_bind=() nsec3_ours=() knot_nsec3=off
if [ "$denial" = nsec3 ]; then
  # ldns-signzone without -s uses an empty salt.
  nsec3_ldns=(-n -t 0) nsec3_bind=(-3 - -H 0) nsec3_ours=(nsec3) knot_nsec3=on
fi

echo "== signerd (SoftHSM2, 2 workers)"
bash "$root/deploy/hsm-init.sh" "$work/hsm" >/dev/null
SOFTHSM2_CONF=$work/hsm/softhsm2.conf run signerd-pkcs11 "$work/ours-pkcs11.zone" \
  "$build/bin/sign_bench" "$zone" "$origin" "$work/ours-pkcs11.zone" pkcs11 "$work/hsm/pin" 2 "${nsec3_ours[@]}"
cat "$work/signerd-pkcs11.log"
echo "== signerd (file key, 2 workers)"
mkdir -p "$work/pem"
run signerd-pem "$work/ours-pem.zone" \
  "$build/bin/sign_bench" "$zone" "$origin" "$work/ours-pem.zone" pem "$work/pem" 2 "${nsec3_ours[@]}"
cat "$work/signerd-pem.log"

echo "== ldns-signzone"
(cd "$work" && ldns-keygen -a ECDSAP256SHA256 -k "$origin" >ldns.key)
lkey=$work/$(cat "$work/ldns.key")
run ldns "$zone.signed" ldns-signzone "${nsec3_ldns[@]}" -o "$origin" "$zone" "$lkey"

echo "== dnssec-signzone -n 2"
mkdir -p "$work/bindkeys"
(cd "$work/bindkeys" && dnssec-keygen -q -a ECDSAP256SHA256 -f KSK "$origin" >/dev/null)
# -S finds the key in -K and publishes its DNSKEY; -z: the KSK signs all (a CSK).
run bind "$work/bind.zone" dnssec-signzone -q -P -S -z -O full -n 2 -d "$work" "${nsec3_bind[@]}" -o "$origin" -f "$work/bind.zone" \
  -K "$work/bindkeys" "$zone"

echo "== kzonesign"
mkdir -p "$work/knot"
cat >"$work/knot/knot.conf" <<CONF
database:
  storage: "$work/knot"
policy:
  - id: bench
    algorithm: ecdsap256sha256
    single-type-signing: on
    nsec3: $knot_nsec3
    nsec3-iterations: 0
    nsec3-salt-length: 0
    signing-threads: 2
template:
  - id: default
    storage: "$work"
    dnssec-signing: on
    dnssec-policy: bench
zone:
  - domain: $origin
    file: "$zone"
CONF
# kzonesign makes the key in its KASP db, signs, and names the output after the input file.
run knot "$work/knot/out/bench.zone" kzonesign -c "$work/knot/knot.conf" -o "$work/knot/out" "$origin"

echo "== OpenDNSSEC (SoftHSM2, 2 threads)"
if bash "$here/opendnssec_sign.sh" "$zone" "$origin" "$work/ods.zone" "$denial" 2 >"$work/ods.log" 2>&1; then
  secs=$(awk '/^opendnssec:/ {print $2}' "$work/ods.log")
  sigs=$(awk '$4 == "RRSIG" || $3 == "RRSIG" {c++} END {print c+0}' "$work/ods.zone")
  echo "opendnssec-pkcs11 $secs 0 $sigs" >>"$results"
else
  echo "opendnssec failed:"
  tail -5 "$work/ods.log"
fi

echo
printf "%-16s %8s %10s %10s %10s %10s %10s\n" tool "wall s" "peak MiB" signatures "sig/s" "time/ours" "sig/s/limit"
ours=$(awk '$1 == "signerd-pkcs11" {print $2}' "$results")
while read -r name secs kb sigs; do
  awk -v n="$name" -v s="$secs" -v kb="$kb" -v g="$sigs" -v o="$ours" -v l="${limit:-0}" 'BEGIN {
    r = s > 0 ? g / s : 0
    printf "%-16s %8.2f %10s %10d %10.0f %10.2f %10s\n", n, s, (kb > 0 ? sprintf("%.1f", kb / 1024) : "-"), g, r,
      (o > 0 ? s / o : 0),
      (l > 0 ? sprintf("%.2f", r / l) : "-")
  }'
done <"$results"
