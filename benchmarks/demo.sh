#!/usr/bin/env bash
# The README's demo: installs what tinyq needs, builds it, and shrinks a bundled zoo model for a
# real board with real data (Fashion-MNIST from Debian's dataset-fashion-mnist package): int8
# quantization, float and int8 accuracy on the full test set, C code built for the board's core
# and run in QEMU, flash/RAM against the board. Outputs in build/demo/fmnist_dscnn/.
#   bash benchmarks/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
BUILD_DIR=${BUILD_DIR:-$(pwd)/build}
MODEL=benchmarks/zoo/fmnist_dscnn
OUT=$BUILD_DIR/demo/fmnist_dscnn
mkdir -p "$BUILD_DIR/demo"

printf '\n==> tinyq shrink %s/model.onnx --target nucleo_l4r5zi -o %s\n' "$MODEL" "$OUT"
"$BUILD_DIR/tinyq" shrink "$MODEL/model.onnx" --data datasets/out/fmnist_test.npz \
  --calib datasets/out/fmnist_calib_1k.npz --card "$MODEL/card.json" \
  --target nucleo_l4r5zi --max-drop 0.5 -o "$OUT" --force
