#!/usr/bin/env bash
# Installs every Debian 12 package that signerd's build, tests, benchmarks and
# quickstart need. Idempotent; run as root (or with sudo available).
set -euo pipefail

packages=(
  # toolchain
  build-essential g++ cmake ninja-build pkg-config clang-14 libclang-rt-14-dev
  clang-format clang-tidy time
  # libraries
  libknot-dev libssl-dev libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev
  libyaml-cpp-dev libboost-dev libboost-system-dev
  libgtest-dev libgmock-dev libbenchmark-dev libp11-kit-dev
  # real servers, HSM and verifiers used by tests and the quickstart
  bind9 bind9-utils bind9-dnsutils nsd knot knot-dnsutils knot-dnssecutils
  ldnsutils softhsm2 opensc libengine-pkcs11-openssl
  python3 curl ccache
  # promtool (tests/system/middle_box.sh checks /metrics with it)
  prometheus
  # the unit and the .deb (tests/system/service_unit.sh, package.sh):
  # systemd-analyze, dpkg-shlibdeps, groff, lintian
  systemd dpkg-dev groff-base lintian
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# The servers are test peers, started by the tests on loopback high ports;
# keep their packages from starting system-wide daemons on port 53.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  added_policy=1
fi
cleanup() { [ "$added_policy" -eq 0 ] || $SUDO rm -f "$policy"; }
trap cleanup EXIT

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
