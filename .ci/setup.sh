#!/usr/bin/env bash
# Installs what tinyq needs on Debian 12 (as root), builds the datasets and the project.
#   bash .ci/setup.sh            # -> build/ (CLI build/tinyq, Python package build/python)
# Idempotent: installed packages, built datasets and an up-to-date build are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}

log() { printf '\n==> %s\n' "$*"; }

# 1. Debian packages (ours, plus those the dataset builders list).
want=$(grep -hv '^\s*#' .ci/packages.txt datasets/requirements-apt.txt 2>/dev/null | awk 'NF' | sort -u)
missing=()
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  log "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. ONNX Runtime from npm: the peer for differential tests and benchmarks. Its post-install step
#    would download CUDA parts, so it is skipped (the CPU library ships inside the package).
if [ ! -d benchmarks/ort/node_modules/onnxruntime-node ]; then
  log "Installing onnxruntime-node (npm)"
  (cd benchmarks/ort && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error)
fi

# 3. Datasets from Debian packages (skips what is already built).
if [ -f datasets/build_all.sh ]; then
  log "Building datasets"
  bash datasets/build_all.sh
fi

# 4. Build.
log "Building tinyq in $BUILD_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
