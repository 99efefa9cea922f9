#!/usr/bin/env bash
# The sanitizer job (called by tests/run_all.sh; docs/reliability.md): builds everything with
# clang + AddressSanitizer + UndefinedBehaviorSanitizer (-DTINYQ_FUZZ=ON also builds the libFuzzer
# targets), runs the whole C++ suite under it (any sanitizer report fails the test), replays every
# fuzz target's seeds and kept regressions, and fuzzes each target briefly.
#   bash tests/sanitize.sh                  # FUZZ_RUNS=20000 executions per target (CI)
#   FUZZ_RUNS=1000000 bash tests/sanitize.sh   # the long runs quoted in docs/reliability.md
set -euo pipefail
cd "$(dirname "$0")/.."
SAN=${SAN_BUILD_DIR:-$(pwd)/build-san}
FUZZ_RUNS=${FUZZ_RUNS:-20000}
printf '\n==> ASan+UBSan build (clang) in %s\n' "$SAN"
cmake -S . -B "$SAN" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=San -DCMAKE_CXX_FLAGS_SAN="-O1 -g1" -DCMAKE_C_FLAGS_SAN="-O1 -g1" \
  -DTINYQ_FUZZ=ON -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$SAN" -j "$(nproc)"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
printf '\n==> C++ tests under ASan+UBSan (ctest, incl. fuzz corpus replays)\n'
(cd "$SAN" && ctest -j "$(nproc)" --output-on-failure --timeout 3000)

printf '\n==> Fuzzing each target for %s executions\n' "$FUZZ_RUNS"
for t in onnx_import npy npz idx calib_table report_json board_profile; do
  [ -x "$SAN/fuzz/fuzz_$t" ] || continue
  printf -- '--- fuzz_%s\n' "$t"
  bash tests/fuzz/run.sh "$SAN/fuzz" "$t" fuzz "$FUZZ_RUNS"
done
