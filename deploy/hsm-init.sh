#!/usr/bin/env bash
# Sets up a SoftHSM2 token for signerd.
#
#   deploy/hsm-init.sh DIR [LABEL]
#
# Creates DIR/softhsm2.conf (tokens in DIR/tokens), initialises a token
# labelled LABEL (default "signerd") with a random SO PIN and user PIN, and
# writes the user PIN to DIR/pin (mode 0600, no trailing newline). The SO PIN
# is not kept: re-initialising the token is the way to reset it. Prints the
# SOFTHSM2_CONF export line; never prints a PIN. Running it again for an
# existing token changes nothing and exits 0.
#
# softhsm2-util reads PINs only from a terminal or its command line, so the
# PINs appear in this process's argv for the moment it runs; run it on a host
# where other users cannot read /proc/PID/cmdline (hidepid) or before
# untrusted users exist.
set -euo pipefail
umask 077

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 DIR [LABEL]" >&2
  exit 2
fi
label=${2:-signerd}
mkdir -p "$1/tokens"
dir=$(cd "$1" && pwd)
conf=$dir/softhsm2.conf
pin_file=$dir/pin

if [ ! -e "$conf" ]; then
  cat >"$conf" <<CONF
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
fi
export SOFTHSM2_CONF=$conf

# Labels of initialised tokens, blank padding removed.
token_labels() {
  softhsm2-util --show-slots | sed -n 's/^ *Label: *//p' | sed 's/ *$//'
}

if token_labels | grep -qxF -- "$label"; then
  if [ ! -s "$pin_file" ]; then
    echo "hsm-init: token '$label' exists in $dir/tokens but $pin_file is missing; cannot recover its PIN" >&2
    exit 1
  fi
  echo "hsm-init: token '$label' already exists in $dir/tokens; nothing to do"
  echo "export SOFTHSM2_CONF=$conf"
  exit 0
fi

if [ -e "$pin_file" ]; then
  echo "hsm-init: $pin_file already holds the PIN of another token; use one DIR per token" >&2
  exit 1
fi

random_pin() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
so_pin=$(random_pin)
user_pin=$(random_pin)

tmp_pin=$(mktemp "$dir/.pin.XXXXXX")
trap 'rm -f "$tmp_pin"' EXIT
printf '%s' "$user_pin" >"$tmp_pin"
chmod 600 "$tmp_pin"

if ! softhsm2-util --init-token --free --label "$label" --so-pin "$so_pin" --pin "$user_pin" >/dev/null; then
  echo "hsm-init: softhsm2-util could not initialise token '$label'" >&2
  exit 1
fi
mv "$tmp_pin" "$pin_file"
trap - EXIT
unset so_pin user_pin

echo "hsm-init: token '$label' initialised in $dir/tokens; user PIN in $pin_file"
echo "export SOFTHSM2_CONF=$conf"
