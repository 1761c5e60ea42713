#!/usr/bin/env bash
# The main job on one machine: a BIND primary, signerd, a BIND secondary, on
# loopback, the signed zone validated. The daemon is not built yet (see the
# README's status table); until it is, this script shows what exists today:
# it builds signerctl and checks an example zone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target signerctl
echo
echo "signerd (the daemon) is not built yet: the quickstart's primary -> signerd -> secondary"
echo "chain arrives with the middle-box work. What works today:"
echo
echo "  build/bin/signerctl check-zone --zone example.com --in deploy/examples/example.com.zone"
echo
build/bin/signerctl check-zone --zone example.com --in deploy/examples/example.com.zone
