"""fmnist_mobilenetv1: MobileNetV1 with width multiplier alpha = 0.25 (as in the MLPerf Tiny
visual-wake-words reference), ReLU6 activations, strides adapted to 28x28 inputs.

conv3x3(8, s1) then 13 depthwise-separable blocks with pointwise widths
16, 32, 32, 64, 64, 128, 128x5, 256, 256 (alpha * the original 64..1024) and depthwise strides
1, 2, 1, 2, 1, 1, 1x5, 2, 1 (total stride 8: 28 -> 14 -> 7 -> 4; VWW's 96x96 model strides 32),
global average pool, dense 10.
"""
import os
import sys

import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 1
EPOCHS = int(os.environ.get("EPOCHS", 5))
PRE = {"scale": 1.0 / 255.0, "mean": 0.2860, "std": 0.3530}
BLOCKS = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 1), (128, 1), (128, 1), (128, 1),
          (128, 1), (128, 1), (256, 2), (256, 1)]


def build():
    layers = [nn.Conv2d(1, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6()]
    cin = 8
    for cout, stride in BLOCKS:
        layers += [nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
                   nn.ReLU6(),
                   nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6()]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(cin, 10)]
    return nn.Sequential(*layers)


def main():
    common.setup(SEED)
    xtr, ytr = common.load("fmnist", "train")
    xte, yte = common.load("fmnist", "test")
    xtr, xte = common.preprocess(xtr, PRE), common.preprocess(xte, PRE)
    model = build()
    common.train_classifier(model, xtr, ytr, EPOCHS, lr=4e-3, wd=1e-4,
                            augment=lambda b: common.random_shift_flip(b, max_shift=1))
    acc = common.top1(model, xte, yte)
    print(f"test top1 {acc:.2f}")
    common.export(model, (1, 28, 28), os.path.join(HERE, "model.onnx"))
    common.write_card(HERE, {
        "name": "fmnist_mobilenetv1", "task": "classification", "dataset": "fmnist", "split": "test",
        "input": {"name": "input", "shape": [1, 1, 28, 28], "layout": "NCHW"},
        "preprocess": PRE, "metric": "top1", "float_metric": round(acc, 2),
        "trained_with": {"seed": SEED, "epochs": EPOCHS}})


if __name__ == "__main__":
    main()
