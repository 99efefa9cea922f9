"""fmnist_resnet8: the MLPerf Tiny image-classification ResNet-8 adapted to 28x28x1.

conv3x3(16) -> [stack 16, stride 1] -> [stack 32, stride 2] -> [stack 64, stride 2] ->
global average pool -> dense 10. A stack is conv3x3-BN-ReLU-conv3x3-BN plus a shortcut
(identity, or conv1x1 stride 2 when the shape changes), added, then ReLU.
"""
import os
import sys

import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 1
EPOCHS = int(os.environ.get("EPOCHS", 10))
PRE = {"scale": 1.0 / 255.0, "mean": 0.2860, "std": 0.3530}


class Stack(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                       nn.BatchNorm2d(cout))
        self.relu = nn.ReLU()

    def forward(self, x):
        s = x if self.short is None else self.short(x)
        return self.relu(self.body(x) + s)


def build():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        Stack(16, 16, 1), Stack(16, 32, 2), Stack(32, 64, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def main():
    common.setup(SEED)
    xtr, ytr = common.load("fmnist", "train")
    xte, yte = common.load("fmnist", "test")
    xtr, xte = common.preprocess(xtr, PRE), common.preprocess(xte, PRE)
    model = build()
    common.train_classifier(model, xtr, ytr, EPOCHS, lr=4e-3, augment=lambda b: common.random_shift_flip(b, max_shift=1))
    acc = common.top1(model, xte, yte)
    print(f"test top1 {acc:.2f}")
    common.export(model, (1, 28, 28), os.path.join(HERE, "model.onnx"))
    common.write_card(HERE, {
        "name": "fmnist_resnet8", "task": "classification", "dataset": "fmnist", "split": "test",
        "input": {"name": "input", "shape": [1, 1, 28, 28], "layout": "NCHW"},
        "preprocess": PRE, "metric": "top1", "float_metric": round(acc, 2),
        "trained_with": {"seed": SEED, "epochs": EPOCHS}})


if __name__ == "__main__":
    main()
