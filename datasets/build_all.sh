#!/usr/bin/env bash
# Builds every dataset into datasets/out/ (or $TINYQ_DATASETS_OUT). One command, idempotent:
# a group whose outputs already exist with the sha256 recorded in datasets/SHA256SUMS is skipped.
# After a build each output is checked against SHA256SUMS and each calibration subset against its
# committed copy in datasets/fixtures/; a mismatch is reported (and fails with TINYQ_STRICT=1).
# Needs the Debian packages in datasets/requirements-apt.txt; downloads nothing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${TINYQ_DATASETS_OUT:-$HERE/out}"
PY=/usr/bin/python3
SUMS="$HERE/SHA256SUMS"
mkdir -p "$OUT"
status=0

up_to_date() {  # files...: every file exists and matches its SHA256SUMS line
  local f
  for f in "$@"; do
    [[ -f "$OUT/$f" ]] || return 1
    grep -q "^$(sha256sum "$OUT/$f" | cut -d' ' -f1)  $f\$" "$SUMS" || return 1
  done
}

verify() {  # files...: compare with SHA256SUMS and fixtures after a build
  local f want got
  for f in "$@"; do
    want="$(grep "  $f\$" "$SUMS" | cut -d' ' -f1 || true)"
    got="$(sha256sum "$OUT/$f" | cut -d' ' -f1)"
    if [[ "$want" != "$got" ]]; then
      echo "WARNING: $f sha256 $got differs from SHA256SUMS ($want)" >&2
      status=1
    fi
    if [[ -f "$HERE/fixtures/$f" ]] && ! cmp -s "$HERE/fixtures/$f" "$OUT/$f"; then
      echo "WARNING: $f differs from the committed datasets/fixtures/$f" >&2
      status=1
    fi
  done
}

group() {  # name builder files...
  local name="$1" builder="$2"
  shift 2
  if up_to_date "$@"; then
    echo "[$name] up to date, skipped"
    return
  fi
  echo "[$name] building with $builder"
  local t0=$SECONDS
  "$PY" "$HERE/$builder" --out "$OUT"
  echo "[$name] built in $((SECONDS - t0)) s"
  verify "$@"
}

group fmnist build_fmnist.py fmnist_train.npz fmnist_test.npz fmnist_calib_1k.npz
group digits build_digits.py digits_train.npz digits_test.npz digits_calib.npz
group vibration build_vibration.py vibration_train.npz vibration_test.npz vibration_calib.npz
group kws build_kws.py kws_train.npz kws_test.npz kws_calib.npz
# 1,000-sample calibration sets and validation splits, drawn from the training splits above.
group splits build_splits.py digits_calib_1k.npz kws_calib_1k.npz vibration_calib_1k.npz \
  fmnist_val.npz digits_val.npz kws_val.npz vibration_val.npz

if [[ $status -ne 0 && "${TINYQ_STRICT:-0}" == 1 ]]; then
  echo "datasets differ from the recorded sha256 (TINYQ_STRICT=1)" >&2
  exit 1
fi
echo "datasets ready in $OUT"
