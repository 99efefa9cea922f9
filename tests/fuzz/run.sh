#!/usr/bin/env bash
# Runs one libFuzzer target of tests/fuzz on its seed corpus (real files of the repository) and
# the kept regression inputs (tests/fuzz/regressions/TARGET/, each once a crash, now fixed).
#   run.sh BINDIR TARGET replay           execute every seed and regression input once (ctest)
#   run.sh BINDIR TARGET fuzz RUNS [SECS] fuzz for RUNS executions (or SECS seconds), ASan+UBSan
# A finding makes libFuzzer exit non-zero and write crash-*/timeout-*/oom-* into the work dir.
set -euo pipefail
BIN=$(cd "$1" && pwd)/fuzz_$2
TARGET=$2
MODE=$3
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
T=$ROOT/tests/testdata

seeds() {
  case $TARGET in
    onnx_import) ls "$T"/onnx/*.onnx "$T"/bad/*.onnx "$ROOT"/benchmarks/zoo/digits_mlp/model.onnx \
                    "$ROOT"/benchmarks/zoo/fmnist_dscnn/model.onnx ;;
    npy) ls "$T"/data/*.npy "$T"/bad_data/*.npy ;;
    npz) ls "$T"/data/*.npz "$T"/bad_data/*.npz ;;
    idx) ls "$T"/data/*idx* "$T"/bad_data/*idx* ;;
    calib_table|report_json|board_profile) ls "$HERE"/seeds/$TARGET/* ;;
    *) echo "run.sh: unknown target $TARGET" >&2; exit 2 ;;
  esac
  if [ -d "$HERE/regressions/$TARGET" ]; then ls "$HERE/regressions/$TARGET"/* 2>/dev/null || true; fi
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tinyq_fuzz_${TARGET}.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/corpus"
n=0
for f in $(seeds); do cp "$f" "$WORK/corpus/seed_$n"; n=$((n + 1)); done
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$WORK"
case $MODE in
  replay) "$BIN" -runs=0 -timeout=30 -rss_limit_mb=4096 corpus ;;
  fuzz)
    RUNS=$4
    SECS=${5:-0}
    status=0
    "$BIN" -runs="$RUNS" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
      -print_final_stats=1 corpus > "$WORK/log" 2>&1 || status=$?
    grep -E "^(#[0-9]+.*(DONE|INITED)|stat::|==|SUMMARY)" "$WORK/log" || true
    if [ "$status" != 0 ] || ls "$WORK"/crash-* "$WORK"/timeout-* "$WORK"/oom-* >/dev/null 2>&1; then
      mkdir -p "$ROOT/build-fuzz-findings/$TARGET"
      cp "$WORK"/crash-* "$WORK"/timeout-* "$WORK"/oom-* "$ROOT/build-fuzz-findings/$TARGET/" 2>/dev/null || true
      tail -40 "$WORK/log" >&2
      echo "run.sh: $TARGET: finding (exit $status) kept in build-fuzz-findings/$TARGET" >&2
      exit 1
    fi
    exit 0 ;;
  *) echo "run.sh: mode replay|fuzz" >&2; exit 2 ;;
esac
