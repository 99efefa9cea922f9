"""fmnist_student: a narrow CNN (~9k params), UNTRAINED, the starting point of the distillation
experiment (benchmarks/kd_vs_labels.py).

conv3x3(8) -> relu -> maxpool -> conv3x3(16) -> relu -> maxpool -> flatten -> dense 10.
Weights are PyTorch's default initialization from torch.manual_seed(SEED); the ONNX is committed
(it is small) so every run starts from the same bytes. Preprocessing is the teacher's
(benchmarks/zoo/fmnist_teacher/card.json).

Run: /usr/bin/python3 benchmarks/zoo/fmnist_student/make_student.py
"""
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 1


def build():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10))


def main():
    torch.manual_seed(SEED)
    model = build()
    ops = common.export(model, (1, 28, 28), os.path.join(HERE, "model.onnx"))
    params = sum(p.numel() for p in model.parameters())
    print(f"fmnist_student: {params} params, ops {ops}, torch {torch.__version__}, seed {SEED}")


if __name__ == "__main__":
    main()
