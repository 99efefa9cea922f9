#!/usr/bin/env bash
# The README's demo: installs what tinyq needs, builds it, and runs it on a bundled zoo model with
# real data (Fashion-MNIST from Debian's dataset-fashion-mnist package).
#   bash benchmarks/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
BUILD_DIR=${BUILD_DIR:-$(pwd)/build}
MODEL=benchmarks/zoo/fmnist_dscnn
DATA=datasets/out/fmnist_test.npz

printf '\n==> tinyq inspect %s/model.onnx\n' "$MODEL"
"$BUILD_DIR/tinyq" inspect "$MODEL/model.onnx"

printf '\n==> tinyq eval %s/model.onnx --data %s --card %s/card.json\n' "$MODEL" "$DATA" "$MODEL"
"$BUILD_DIR/tinyq" eval "$MODEL/model.onnx" --data "$DATA" --card "$MODEL/card.json"
