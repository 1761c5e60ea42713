#!/usr/bin/env bash
# Every file tests/data/bad-zones/*.zone must make signerctl check-zone exit
# 1 with the errors its header announces, one per line:
#   ; expect: LINE: words          a stderr line starts "FILE:LINE: " and
#                                  contains the words after that
#   ; expect: -: words             the same for "FILE: " (a zone-level
#                                  error, no line)
#   ; expect: OTHER:LINE: words    the error is in OTHER (an $INCLUDEd file
#                                  beside the zone, reported by absolute path)
# The zone's name is the file name without ".zone".
#
# usage: bash check_zone_bad_zones.sh SIGNERCTL DATA_DIR
set -euo pipefail

signerctl=${1:?usage: $0 SIGNERCTL DATA_DIR}
dir=$(cd "${2:?usage: $0 SIGNERCTL DATA_DIR}/bad-zones" && pwd -P)
cd "$dir"

failures=0
checked=0
for file in *.zone; do
  zone=${file%.zone}
  set +e
  "$signerctl" check-zone --zone "$zone" --in "$file" >/dev/null 2>stderr.tmp
  rc=$?
  set -e
  stderr=$(cat stderr.tmp)
  rm -f stderr.tmp
  problems=()
  [ "$rc" -eq 1 ] || problems+=("exit code $rc, expected 1")
  expectations=0
  while IFS= read -r spec; do
    expectations=$((expectations + 1))
    where=${spec%%: *}
    words=${spec#*: }
    case $where in
      -) prefix="$file: " ;;
      *:*) prefix="$dir/${where%%:*}:${where#*:}: " ;;
      *) prefix="$file:$where: " ;;
    esac
    found=no
    while IFS= read -r line; do
      [[ $line == "$prefix"* && ${line#"$prefix"} == *"$words"* ]] && found=yes
    done <<<"$stderr"
    [ "$found" = yes ] || problems+=("no line '$prefix...$words...'")
  done < <(sed -n 's/^; expect: //p' "$file")
  [ "$expectations" -gt 0 ] || problems+=("no '; expect:' line in the file")
  checked=$((checked + 1))
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok   $file"
  else
    echo "FAIL $file:"
    printf '       %s\n' "${problems[@]}"
    echo "     stderr was:"
    sed 's/^/       /' <<<"$stderr"
    failures=$((failures + 1))
  fi
done

echo "$((checked - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
