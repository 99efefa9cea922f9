#!/usr/bin/env bash
# Retrains every zoo model from scratch (not run by CI: about an hour on 2 shared cores).
# Each train.py exports model.onnx and writes card.json next to itself; verify.py then recomputes
# every card's float_metric from the exported ONNX with the numpy executor. Two trainings run at a
# time, one torch thread each; logs go to benchmarks/zoo/<name>/train.log (not committed).
set -euo pipefail
ZOO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$ZOO/../.." && pwd)"
PY=/usr/bin/python3
bash "$ROOT/datasets/build_all.sh"

train() {
  echo "[$1] training (log: benchmarks/zoo/$1/train.log)"
  "$PY" "$ZOO/$1/train.py" > "$ZOO/$1/train.log" 2>&1
  echo "[$1] $(grep -E '^test ' "$ZOO/$1/train.log")"
}

pair() {  # runs two trainings in parallel and fails if either fails
  train "$1" & local a=$!
  train "$2" & local b=$!
  wait $a && wait $b
}

pair fmnist_teacher fmnist_resnet8
pair fmnist_dscnn fmnist_mobilenetv1
pair kws_dscnn digits_mlp
train vibration_ae
"$PY" "$ZOO/verify.py"
"$PY" "$ZOO/table.py"
