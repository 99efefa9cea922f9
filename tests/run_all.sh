#!/usr/bin/env bash
# Installs, builds and runs every tinyq test: the C++ suite (ctest) and the Python suite (pytest).
#   bash tests/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
BUILD_DIR=${BUILD_DIR:-$(pwd)/build}
export TINYQ_BUILD_DIR=$BUILD_DIR
export PYTHONPATH=$BUILD_DIR/python${PYTHONPATH:+:$PYTHONPATH}

printf '\n==> C++ tests (ctest)\n'
(cd "$BUILD_DIR" && ctest -j "$(nproc)" --output-on-failure --timeout 1500)

printf '\n==> Python tests (pytest)\n'
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
