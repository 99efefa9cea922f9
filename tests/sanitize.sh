#!/usr/bin/env bash
# The sanitizer job (called by .ci/run after the README's test command; docs/reliability.md):
# builds the library, the CLI, the C++ tests and the libFuzzer targets with clang +
# AddressSanitizer + UndefinedBehaviorSanitizer at -O2 in its own folder (-DTINYQ_FUZZ=ON), then
# under the sanitizers (any report fails the step):
#   1. the whole C++ suite (ctest), fuzz seed/regression replays included;
#   2. every Python test that drives the CLI, against the sanitized `tinyq` (TINYQ_CLI; the
#      Python extension stays the normal build: loading an ASan runtime into python3 + torch is
#      not practical);
#   3. a short fuzzing run of every target (FUZZ_SECS seconds each).
#   bash tests/sanitize.sh                         # after tests/run_all.sh's setup (CI)
#   FUZZ_SECS=0 FUZZ_RUNS=1000000 bash tests/sanitize.sh   # the long runs of docs/reliability.md
# Expects .ci/setup.sh to have run (packages, datasets, the normal build in $BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SAN=${SAN_BUILD_DIR:-$ROOT/build-san}
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
FUZZ_SECS=${FUZZ_SECS:-30}
FUZZ_RUNS=${FUZZ_RUNS:--1}  # -1: no execution limit (FUZZ_SECS bounds the run)
JOBS=${JOBS:-$(nproc)}

printf '\n==> ASan+UBSan build (clang -O2) in %s\n' "$SAN"
cmake -S . -B "$SAN" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=San -DCMAKE_CXX_FLAGS_SAN="-O2 -g1" -DCMAKE_C_FLAGS_SAN="-O2 -g1" \
  -DTINYQ_FUZZ=ON -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$SAN" -j "$JOBS"

# halt_on_error/abort_on_error: the first report fails the test that triggered it.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi
printf '\n==> C++ tests under ASan+UBSan (ctest, fuzz corpus replays included)\n'
(cd "$SAN" && ctest -j "$JOBS" --output-on-failure --timeout 3000)

printf '\n==> Python tests that drive the CLI, against the ASan+UBSan tinyq\n'
TINYQ_BUILD_DIR=$BUILD_DIR TINYQ_CLI=$SAN/tinyq TINYQ_CLI_TESTS_ONLY=1 \
  PYTHONPATH=$BUILD_DIR/python${PYTHONPATH:+:$PYTHONPATH} \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python

printf '\n==> Fuzzing each target (%ss / %s executions each)\n' "$FUZZ_SECS" "$FUZZ_RUNS"
for t in $(sed -n 's/^set(TINYQ_FUZZ_TARGETS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt); do
  printf -- '--- fuzz_%s\n' "$t"
  bash tests/fuzz/run.sh "$SAN/fuzz" "$t" fuzz "$FUZZ_RUNS" "$FUZZ_SECS"
done
