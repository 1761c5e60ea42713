#!/usr/bin/env bash
# deploy/signerd.service is a unit systemd accepts and a sandbox it rates
# "OK": `systemd-analyze verify` passes with the unit's commands on the
# built binary and its Documentation= on our man pages, and `systemd-analyze
# security --offline=yes` puts the overall exposure at 2.0 or below (issue
# 12). Offline: no systemd needs to run, nothing is installed or started.
#   service_unit.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

unit=$root/deploy/signerd.service
max_exposure=2.0
command -v systemd-analyze >/dev/null || fail "no systemd-analyze (deploy/install-deps.sh installs systemd)"

step "systemd-analyze verify, /usr/sbin/signerd -> $signerd_bin"
# verify checks that every Exec*= command exists and that `man` finds every
# Documentation= page: a copy on the built binary, MANPATH on man/.
mkdir -p "$SYS_WORK/unit" "$SYS_WORK/man/man5" "$SYS_WORK/man/man8"
sed "s|/usr/sbin/signerd|$signerd_bin|g" "$unit" >"$SYS_WORK/unit/signerd.service"
grep -q "^ExecStart=$signerd_bin " "$SYS_WORK/unit/signerd.service" || fail "ExecStart= is not /usr/sbin/signerd"
cp "$root/man/signerd.8" "$root/man/signerctl.8" "$SYS_WORK/man/man8/"
cp "$root/man/signerd.yaml.5" "$SYS_WORK/man/man5/"
if ! MANPATH=$SYS_WORK/man systemd-analyze verify "$SYS_WORK/unit/signerd.service" >"$SYS_WORK/verify" 2>&1; then
  cat "$SYS_WORK/verify"
  fail "systemd-analyze verify refused the unit"
fi
# It warns (unknown keys, bad values) without failing: any word is a finding.
[[ ! -s $SYS_WORK/verify ]] || { cat "$SYS_WORK/verify"; fail "systemd-analyze verify warned"; }

step "systemd-analyze security --offline=yes: overall exposure at most $max_exposure"
systemd-analyze security --offline=yes "$unit" >"$SYS_WORK/security" 2>&1 ||
  { cat "$SYS_WORK/security"; fail "systemd-analyze security failed"; }
exposure=$(sed -n 's/.*Overall exposure level for signerd\.service: \([0-9][0-9.]*\) .*/\1/p' "$SYS_WORK/security")
[[ -n $exposure ]] || { cat "$SYS_WORK/security"; fail "no 'Overall exposure level' line"; }
grep '✗' "$SYS_WORK/security" || true
echo "exposure $exposure (at most $max_exposure)"
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' ||
  fail "exposure $exposure is above $max_exposure"
echo "PASS"
