#!/usr/bin/env bash
# Builds the Debian package signerd_VERSION_ARCH.deb (dpkg-deb, no debian/
# source tree) from a build tree:
#
#   deploy/package.sh [BUILD_DIR [OUT_DIR]]    (defaults: build/ of the checkout, .)
#
# BUILD_DIR holds bin/signerd and bin/signerctl (cmake --build BUILD_DIR
# --target signerd signerctl). VERSION is project(... VERSION ...) of the top
# CMakeLists.txt, else `git describe`. The package holds both binaries in
# /usr/sbin, the systemd unit deploy/signerd.service, deploy/signerd.yaml as
# the conffile /etc/signerd/signerd.yaml, the man pages of man/, and
# maintainer scripts that make the signerd system user. Depends come from
# dpkg-shlibdeps. Prints the path of the .deb.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$root/build}")
out=$(realpath "${2:-.}")

for b in signerd signerctl; do
  [[ -x $build/bin/$b ]] || { echo "package.sh: no $build/bin/$b; build it first" >&2; exit 1; }
done

version=$(sed -n 's/^project([^)]* VERSION \([0-9][0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
if [[ -z $version ]]; then
  # A Debian version starts with a digit and has no '-' in a native package.
  version=0~git$(git -C "$root" describe --tags --always --dirty | sed 's/^v//; s/-/+/g')
fi
arch=$(dpkg --print-architecture)
maintainer=$(git -C "$root" log -1 --format='%an <%ae>' 2>/dev/null || true)
maintainer=${maintainer:-signerd maintainers <signerd@localhost>}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# dpkg-shlibdeps wants the files where a debian/ source tree keeps them.
pkg=$work/debian/signerd
mkdir -p "$pkg/DEBIAN" "$out"

for b in signerd signerctl; do
  install -D -m 0755 "$build/bin/$b" "$pkg/usr/sbin/$b"
  # As dh_strip does; the build tree keeps the debug information.
  strip --remove-section=.comment --remove-section=.note "$pkg/usr/sbin/$b"
done
install -D -m 0644 "$root/deploy/signerd.service" "$pkg/lib/systemd/system/signerd.service"
install -D -m 0644 "$root/deploy/signerd.yaml" "$pkg/etc/signerd/signerd.yaml"
for page in signerd.8 signerctl.8 signerd.yaml.5; do
  dir=$pkg/usr/share/man/man${page##*.}
  mkdir -p "$dir"
  gzip -9n <"$root/man/$page" >"$dir/$page.gz"
  chmod 0644 "$dir/$page.gz"
done

# lintian wants a changelog even in a package built without a source tree.
doc=$pkg/usr/share/doc/signerd
mkdir -p "$doc"
{
  echo "signerd ($version) unstable; urgency=medium"
  echo
  echo "  * Built by deploy/package.sh from $(git -C "$root" describe --always --dirty 2>/dev/null || echo "a checkout")."
  echo
  echo " -- $maintainer  $(date -R -d "@$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

printf 'Source: signerd\n\nPackage: signerd\nArchitecture: any\n' >"$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O "-e$pkg/usr/sbin/signerd" "-e$pkg/usr/sbin/signerctl" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
[[ -n $shlibs ]] || { echo "package.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cat >"$pkg/DEBIAN/control" <<CONTROL
Package: signerd
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: $shlibs, adduser, procps
Recommends: softhsm2
Suggests: bind9-dnsutils, ldnsutils
Section: net
Priority: optional
Description: hidden-primary DNSSEC signer
 signerd sits between an unmodified primary DNS server (BIND, NSD, Knot)
 and that primary's secondaries. It transfers each zone in by AXFR/IXFR,
 signs it incrementally with keys held in a PKCS#11 HSM (SoftHSM2 by
 default), keeps its state in SQLite, and serves the signed zone to the
 secondaries by IXFR/AXFR with NOTIFY. Keys roll by themselves following a
 BIND dnssec-policy, with CDS/CDNSKEY and DS checks at the parent.
 .
 signerctl controls the running daemon and signs zone files offline.
 The systemd unit runs signerd unprivileged in a sandbox; it is not
 enabled on installation.
CONTROL

echo /etc/signerd/signerd.yaml >"$pkg/DEBIAN/conffiles"

cat >"$pkg/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
# The signerd system user and group, made once; membership of softhsm, the
# group of SoftHSM2's token directory, when that group exists. Running it
# again changes nothing.
set -e
if [ "$1" = configure ]; then
  getent group signerd >/dev/null || addgroup --system --quiet signerd
  getent passwd signerd >/dev/null ||
    adduser --system --quiet --ingroup signerd --home /var/lib/signerd --no-create-home \
      --gecos "signerd DNSSEC signer" signerd
  if getent group softhsm >/dev/null; then
    adduser --quiet signerd softhsm
  fi
  if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
    # An upgrade restarts a running signerd on the new binary.
    if [ -n "$2" ]; then
      deb-systemd-invoke try-restart signerd.service || true
    fi
  fi
fi
exit 0
SCRIPT

cat >"$pkg/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
# Stops signerd before its files go; an upgrade restarts it in postinst.
# deb-systemd-invoke (init-system-helpers, essential) obeys policy-rc.d.
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  deb-systemd-invoke stop signerd.service || true
fi
exit 0
SCRIPT

cat >"$pkg/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
# The store under /var/lib/signerd and the signerd user stay on purge: the
# store says which keys in the HSM belong to which zone.
set -e
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = purge ]; then
  # Left by an operator's `systemctl enable`; the unit itself is gone.
  rm -f "${DPKG_ROOT:-}/etc/systemd/system/multi-user.target.wants/signerd.service"
fi
exit 0
SCRIPT
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm" "$pkg/DEBIAN/postrm"

deb=$out/signerd_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
