#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. the release build with warnings as errors: unit, compat and system tests;
#   2. a clang build with ASan+UBSan and libFuzzer: the unit tests again, then
#      each fuzz target for FUZZ_SECONDS (default 60).
# Exits non-zero on any failure. Options via environment:
#   FUZZ_SECONDS=N   seconds per fuzz target (0 skips the sanitizer build)
#   JOBS=N           build parallelism (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${JOBS:-$(nproc)}
fuzz_seconds=${FUZZ_SECONDS:-60}

bash deploy/install-deps.sh

step() { printf '\n=== %s ===\n' "$*"; }

step "format (.clang-format, every C++ file)"
find base dns dnssec hsm xfr store policy signerd tests -name '*.cpp' -o -name '*.hpp' |
  xargs clang-format --dry-run --Werror

# Line tables only (-g1, -gline-tables-only): backtraces and sanitizer
# reports keep file and line, and the two builds take about a fifth less
# time than with full debug information.
step "release build (g++, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNERD_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
cmake --build build -j "$jobs"

step "tests (release build)"
(cd build && ctest --output-on-failure -j "$jobs")

if [ "$fuzz_seconds" -gt 0 ]; then
  step "sanitizer + fuzz build (clang-14, ASan+UBSan, libFuzzer)"
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DSIGNERD_FUZZ=ON -DSIGNERD_SANITIZE=ON -DSIGNERD_BENCH=OFF -DSIGNERD_WERROR=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG"
  cmake --build build-fuzz -j "$jobs"

  step "unit tests under ASan+UBSan"
  # The hsm tests unwind fully so that SoftHSM's leaks match the
  # suppressions (tests/CMakeLists.txt); the rest keep the fast unwinder.
  (cd build-fuzz &&
    LSAN_OPTIONS="suppressions=$root/tests/lsan.supp" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --output-on-failure -j "$jobs" -R '^[A-Z]')

  step "fuzzing, ${fuzz_seconds}s per target"
  bash tests/fuzz/run.sh "$root/build-fuzz" "$fuzz_seconds"
fi

step "all tests passed"
