#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each, seeded from tests/fuzz/seeds
# and the malformed-message corpus (hex text, '#' comments). Crash inputs go
# to BUILD_DIR/fuzz-artifacts/. Exits non-zero when any target fails.
#   tests/fuzz/run.sh BUILD_DIR SECONDS   (FUZZ_JOBS=N targets at once, default nproc)
set -euo pipefail

build=${1:?usage: run.sh BUILD_DIR SECONDS}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"

seeds="$work/seeds"
mkdir -p "$seeds"
for f in "$here"/seeds/*.hex "$here"/../data/malformed/*.hex; do
  sed 's/#.*//' "$f" | xxd -r -p > "$seeds/$(basename "$f" .hex)"
done
# Names as text for fuzz_name's from_text path.
printf 'www.example.com.' > "$seeds/name_text"
printf 'a\\.b\\032c.\\255.' > "$seeds/name_escapes"
# "example. SOA" signed by dig -y hmac-sha256 (fuzz_tsig's key and clock).
echo 20e101200001000000000001076578616d706c65000006000109747369672d74657374076578616d706c650000fa00ff0000000000\
3d0b686d61632d7368613235360000006b0480ee012c0020340b51a50291d44bd22b684c0539693c747fa7a050e7a71008a2f0b6f192c9\
dc20e100000000 | xxd -r -p > "$seeds/query_tsig_sha256"

targets=(fuzz_message fuzz_name fuzz_tsig fuzz_auth_query fuzz_transfer_in fuzz_zone_codec fuzz_ds_check
         fuzz_control_request)
for target in "${targets[@]}"; do
  if [[ ! -x $build/bin/$target ]]; then
    echo "run.sh: $build/bin/$target missing; build with -DSIGNERD_FUZZ=ON" >&2
    exit 2
  fi
done

# One target per core at once: each still runs its full SECONDS, and the
# whole run takes SECONDS x targets / cores.
fuzz_one() {
  local target=$1 corpus="$work/corpus-$1"
  mkdir -p "$corpus"
  if "$build/bin/$target" -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$target-" "$corpus" "$seeds" 2> "$work/$target.log"; then
    echo ok > "$work/$target.status"
  fi
}
parallel=${FUZZ_JOBS:-$(nproc)}
running=0
for target in "${targets[@]}"; do
  if ((running >= parallel)); then
    wait -n || true
    running=$((running - 1))
  fi
  echo "== $target for ${seconds}s"
  fuzz_one "$target" &
  running=$((running + 1))
done
wait

status=0
for target in "${targets[@]}"; do
  if [[ -f $work/$target.status ]]; then
    echo "== $target passed"
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$work/$target.log" || true
  else
    status=1
    echo "run.sh: $target FAILED; the end of its log:" >&2
    tail -40 "$work/$target.log" >&2
  fi
done
exit $status
