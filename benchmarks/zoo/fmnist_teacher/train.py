"""fmnist_teacher: a VGG-style CNN (~0.6M params) with BatchNorm, the distillation teacher.

conv3x3(32) -> maxpool -> conv3x3(64)x2 -> maxpool -> conv3x3(128)x2 -> maxpool(7->3) ->
flatten -> dense 256 -> dense 10. Each conv/dense is followed by BatchNorm + ReLU.
"""
import os
import sys

import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 1
EPOCHS = int(os.environ.get("EPOCHS", 8))
PRE = {"scale": 1.0 / 255.0, "mean": 0.2860, "std": 0.3530}


def cbr(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


def build():
    return nn.Sequential(
        *cbr(1, 32), nn.MaxPool2d(2),
        *cbr(32, 64), *cbr(64, 64), nn.MaxPool2d(2),
        *cbr(64, 128), *cbr(128, 128), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128 * 3 * 3, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(),
        nn.Linear(256, 10))


def main():
    common.setup(SEED)
    xtr, ytr = common.load("fmnist", "train")
    xte, yte = common.load("fmnist", "test")
    xtr, xte = common.preprocess(xtr, PRE), common.preprocess(xte, PRE)
    model = build()
    common.train_classifier(model, xtr, ytr, EPOCHS, lr=3e-3, augment=common.random_shift_flip,
                            label_smoothing=0.1)
    acc = common.top1(model, xte, yte)
    print(f"test top1 {acc:.2f}")
    common.export(model, (1, 28, 28), os.path.join(HERE, "model.onnx"))
    common.write_card(HERE, {
        "name": "fmnist_teacher", "task": "classification", "dataset": "fmnist", "split": "test",
        "input": {"name": "input", "shape": [1, 1, 28, 28], "layout": "NCHW"},
        "preprocess": PRE, "metric": "top1", "float_metric": round(acc, 2),
        "trained_with": {"seed": SEED, "epochs": EPOCHS}})


if __name__ == "__main__":
    main()
