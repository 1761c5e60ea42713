#!/usr/bin/env bash
# signerctl sign-file with keys in a throw-away SoftHSM2 token, judged by
# independent verifiers (BIND's dnssec-verify, ldns-verify-zone):
#  - the corner zone signed with NSEC, NSEC3, NSEC3 opt-out and KSK+ZSK
#    policies verifies with both tools;
#  - the signed zone holds exactly the unsigned records besides DNSSEC ones,
#    the SOA serial and the apex ZONEMD (recomputed over the signed zone,
#    RFC 8976 section 3; ldns-verify-zone checks its digest);
#  - a second run reuses the keys kept in the store (same key tags);
#  - `signerctl keys` lists them and `signerctl ds` agrees with
#    dnssec-dsfromkey on the published DNSKEY;
#  - bad input (a broken zone, a wrong PIN, an unknown policy) fails with a
#    clear error and leaves no output file.
#
# usage: bash sign_file.sh SIGNERCTL DATA_DIR
set -euo pipefail
signerctl=${1:?usage: $0 SIGNERCTL DATA_DIR}
data=$(cd "${2:?}" && pwd)
root=$(cd "$data/../.." && pwd)
for tool in dnssec-verify ldns-verify-zone dnssec-dsfromkey softhsm2-util; do
  command -v "$tool" >/dev/null || { echo "missing $tool (deploy/install-deps.sh)"; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$root/deploy/hsm-init.sh" "$work/hsm" >/dev/null
export SOFTHSM2_CONF=$work/hsm/softhsm2.conf
zone=corner.example.
cp "$data/zones/corner.example.zone" "$data/zones/corner.example.inc" "$work/"

cat >"$work/signerd.yaml" <<CONF
server:
  state-dir: $work/state
hsm:
  module: /usr/lib/softhsm/libsofthsm2.so
  token-label: signerd
  pin-file: $work/hsm/pin
policies:
  - name: optout
    keys: [{role: csk, lifetime: unlimited, algorithm: ecdsap256sha256}]
    nsec3param: {iterations: 0, optout: true, salt-length: 0}
  - name: split
    keys: [{role: ksk, lifetime: unlimited, algorithm: ecdsap256sha256},
           {role: zsk, lifetime: P90D, algorithm: ecdsap256sha256}]
CONF

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

# The zone's records without DNSSEC types, ZONEMD and the SOA, one per line.
data_only() {
  "$signerctl" check-zone --zone "$zone" --in "$1" --generic |
    awk '$4 !~ /^(RRSIG|NSEC|NSEC3|NSEC3PARAM|DNSKEY|CDS|CDNSKEY|TYPE46|TYPE47|TYPE48|TYPE50|TYPE51|TYPE59|TYPE60|TYPE63|SOA)$/' | sort
}
(cd "$work" && data_only corner.example.zone >unsigned.data)

sign() {  # POLICY OUT
  (cd "$work" && "$signerctl" sign-file --config signerd.yaml --zone "$zone" --in corner.example.zone \
    --out "$2" --policy "$1")
}

for policy in default default-nsec3 optout split; do
  out=$work/signed-$policy.zone
  if ! sign "$policy" "$out" >"$work/log" 2>&1; then
    fail "sign-file --policy $policy: $(tail -3 "$work/log")"
    continue
  fi
  vflags=(-z)
  [ "$policy" = split ] && vflags=()
  if dnssec-verify "${vflags[@]}" -o "$zone" "$out" >"$work/v.log" 2>&1; then
    ok "$policy: dnssec-verify accepts the signed zone"
  else
    fail "$policy: dnssec-verify: $(tail -3 "$work/v.log")"
  fi
  if ldns-verify-zone "$out" >"$work/v.log" 2>&1; then
    ok "$policy: ldns-verify-zone accepts the signed zone"
  else
    fail "$policy: ldns-verify-zone: $(tail -3 "$work/v.log")"
  fi
  if diff <(data_only "$out") "$work/unsigned.data" >"$work/d.log"; then
    ok "$policy: same records as the unsigned zone besides DNSSEC, ZONEMD and SOA"
  else
    fail "$policy: records differ: $(head -5 "$work/d.log")"
  fi
done

# Keys persist in the store: a second run signs with the same keys.
tags() { awk '$4 == "DNSKEY" || $4 == "TYPE48" {print}' "$1" | sort; }
sign default "$work/again.zone" >/dev/null 2>&1 || fail "second sign-file run failed"
if [ -s "$work/again.zone" ] && diff <(tags "$work/again.zone") <(tags "$work/signed-default.zone") >/dev/null; then
  ok "second run reuses the stored keys (same DNSKEY set)"
else
  fail "second run published other DNSKEYs"
fi

if (cd "$work" && "$signerctl" keys --config signerd.yaml --zone "$zone") >"$work/keys.txt" 2>&1 &&
  grep -q "pkcs11:" "$work/keys.txt"; then
  ok "signerctl keys lists the keys with their pkcs11: URIs"
else
  fail "signerctl keys: $(head -3 "$work/keys.txt")"
fi

# DS from our tool equals dnssec-dsfromkey on the DNSKEY we published.
awk '$4 == "DNSKEY" && $5 == 257' "$work/signed-split.zone" >"$work/ksk.key"
if (cd "$work" && "$signerctl" ds --config signerd.yaml --zone "$zone") >"$work/ds.txt" 2>&1; then
  theirs=$(dnssec-dsfromkey -2 -f "$work/ksk.key" "$zone" | awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}')
  if grep -qiF "$theirs" <(awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}' "$work/ds.txt"); then
    ok "signerctl ds matches dnssec-dsfromkey"
  else
    fail "signerctl ds: got $(cat "$work/ds.txt"), dnssec-dsfromkey: $theirs"
  fi
else
  fail "signerctl ds: $(head -3 "$work/ds.txt")"
fi

# Bad input: clear error, exit 1, and no output file.
expect_failure() {  # WHAT WORDS COMMAND...
  local what=$1 words=$2
  shift 2
  rm -f "$work/bad-out.zone"
  if "$@" >"$work/e.log" 2>&1; then
    fail "$what: succeeded"
  elif [ -e "$work/bad-out.zone" ]; then
    fail "$what: left an output file"
  elif ! grep -qi -- "$words" "$work/e.log"; then
    fail "$what: error lacks '$words': $(head -3 "$work/e.log")"
  else
    ok "$what: refused ($(head -1 "$work/e.log"))"
  fi
}
printf '$ORIGIN corner.example.\n@ 3600 IN SOA ns hm 1 2 3 4 5\n@ 3600 IN NS ns\nbad 3600 IN A 300.1.1.1\n' >"$work/broken.zone"
expect_failure "broken zone" "broken.zone:4" \
  "$signerctl" sign-file --config "$work/signerd.yaml" --zone "$zone" --in "$work/broken.zone" --out "$work/bad-out.zone"
expect_failure "unknown policy" "nosuchpolicy" \
  "$signerctl" sign-file --config "$work/signerd.yaml" --zone "$zone" --in "$work/corner.example.zone" \
  --out "$work/bad-out.zone" --policy nosuchpolicy
printf 'wrong-pin' >"$work/badpin"
chmod 600 "$work/badpin"
sed "s|pin-file: .*|pin-file: $work/badpin|" "$work/signerd.yaml" >"$work/badpin.yaml"
expect_failure "wrong PIN" "PIN" \
  "$signerctl" sign-file --config "$work/badpin.yaml" --zone "$zone" --in "$work/corner.example.zone" \
  --out "$work/bad-out.zone"
if grep -q "wrong-pin" "$work/e.log"; then fail "the PIN appears in the error output"; fi

echo
if [ "$failures" -gt 0 ]; then
  echo "sign_file: $failures failure(s)"
  exit 1
fi
echo "sign_file: all checks passed"
