#!/usr/bin/env bash
# The main job on one machine: a BIND primary, signerd, a BIND secondary, on
# loopback, the signed zone validated. The daemon is not built yet (see the
# README's status table); until it is, this script shows what exists today:
# it builds signerctl, checks an example zone, makes a SoftHSM2 token under
# ./state, signs the zone with keys in that token and has BIND's
# dnssec-verify and ldns-verify-zone judge the result.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target signerctl

state=$root/state/quickstart
zone=example.com
in=deploy/examples/example.com.zone
echo
echo "== check the zone: signerctl check-zone --zone $zone --in $in"
build/bin/signerctl check-zone --zone "$zone" --in "$in"

echo
echo "== a SoftHSM2 token in $state/hsm"
[ -f "$state/hsm/pin" ] || bash deploy/hsm-init.sh "$state/hsm" >/dev/null
export SOFTHSM2_CONF=$state/hsm/softhsm2.conf
cat >"$state/signerd.yaml" <<CONF
server:
  state-dir: $state/db
hsm:
  module: /usr/lib/softhsm/libsofthsm2.so
  token-label: signerd
  pin-file: $state/hsm/pin
CONF

echo
echo "== sign it: signerctl sign-file --config $state/signerd.yaml --zone $zone --in $in --out $state/$zone.signed"
build/bin/signerctl sign-file --config "$state/signerd.yaml" --zone "$zone" --in "$in" --out "$state/$zone.signed"
build/bin/signerctl keys --config "$state/signerd.yaml" --zone "$zone"
echo
echo "== DS records for the parent"
build/bin/signerctl ds --config "$state/signerd.yaml" --zone "$zone"

echo
echo "== judged by BIND and ldns"
dnssec-verify -z -o "$zone" "$state/$zone.signed"
ldns-verify-zone "$state/$zone.signed"

echo
echo "signerd (the daemon) is not built yet: the primary -> signerd -> secondary chain"
echo "arrives with the middle-box work. The signed zone is $state/$zone.signed."
