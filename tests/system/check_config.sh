#!/usr/bin/env bash
# `signerd --check`: a good config passes; a YAML error is named by file,
# line and field; a world-readable TSIG secret file, a wrong HSM PIN and an
# undefined policy are each refused with a clear error; no secret is printed.
#   check_config.sh SIGNERD_BINARY
source "$(dirname "$0")/prelude.sh" "$@"

signerd_token
secret=$(head -c 32 /dev/urandom | base64)
(umask 077 && echo "$secret" >"$SYS_WORK/xfr.key")

write_config() { # PIN_FILE POLICY
  cat >"$SYS_WORK/signerd.yaml" <<CONF
server:
  listen: [127.0.0.1@53530]
  state-dir: $SYS_WORK/state
hsm:
  module: /usr/lib/softhsm/libsofthsm2.so
  token-label: signerd
  pin-file: $1
tsig:
  - {name: xfr-key, algorithm: hmac-sha256, secret-file: $SYS_WORK/xfr.key}
policies:
  - name: ed
    keys: [{role: csk, lifetime: unlimited, algorithm: ed25519}]
zones:
  - name: example.test
    primaries: [{address: 127.0.0.1@53531, key: xfr-key}]
    policy: $2
CONF
}
check() { "$signerd_bin" --config "$SYS_WORK/signerd.yaml" --check >"$SYS_WORK/out" 2>&1; }

step "a good config passes, the HSM and its algorithms included"
write_config "$SYS_WORK/hsm/pin" ed
check || { cat "$SYS_WORK/out"; fail "a good config was refused"; }
grep -q "ok (1 zones)" "$SYS_WORK/out" || fail "no ok line: $(cat "$SYS_WORK/out")"

step "an undefined policy is named by file, line and field"
write_config "$SYS_WORK/hsm/pin" nosuch
check && fail "an undefined policy passed"
grep -qE "signerd.yaml:[0-9]+: zones\[0\]\.policy" "$SYS_WORK/out" || fail "unclear error: $(cat "$SYS_WORK/out")"

step "a world-readable TSIG secret is refused, without printing it"
write_config "$SYS_WORK/hsm/pin" ed
chmod 0644 "$SYS_WORK/xfr.key"
check && fail "a world-readable secret file passed"
grep -q "xfr.key" "$SYS_WORK/out" || fail "the error does not name the file: $(cat "$SYS_WORK/out")"
grep -qF "$secret" "$SYS_WORK/out" && fail "the secret was printed"
chmod 0600 "$SYS_WORK/xfr.key"

step "a wrong PIN is refused at check time"
(umask 077 && echo "not-the-pin" >"$SYS_WORK/wrong.pin")
write_config "$SYS_WORK/wrong.pin" ed
check && fail "a wrong PIN passed"
grep -q "hsm" "$SYS_WORK/out" || fail "the error does not say hsm: $(cat "$SYS_WORK/out")"
grep -q "not-the-pin" "$SYS_WORK/out" && fail "the PIN was printed"
echo "PASS"
