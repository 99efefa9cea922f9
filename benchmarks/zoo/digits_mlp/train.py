"""digits_mlp: a fully connected classifier for the 8x8 digits:
64 -> dense 128 -> BN -> ReLU -> dense 64 -> BN -> ReLU -> dense 10."""
import os
import sys

import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 1
EPOCHS = int(os.environ.get("EPOCHS", 60))
PRE = {"scale": 1.0 / 16.0, "mean": 0.0, "std": 1.0}


def build():
    return nn.Sequential(nn.Linear(64, 128, bias=False), nn.BatchNorm1d(128), nn.ReLU(),
                         nn.Linear(128, 64, bias=False), nn.BatchNorm1d(64), nn.ReLU(),
                         nn.Linear(64, 10))


def main():
    common.setup(SEED)
    xtr, ytr = common.load("digits", "train")
    xte, yte = common.load("digits", "test")
    xtr, xte = common.preprocess(xtr, PRE), common.preprocess(xte, PRE)
    model = build()
    common.train_classifier(model, xtr, ytr, EPOCHS, lr=3e-3, batch=64, wd=1e-3)
    acc = common.top1(model, xte, yte)
    print(f"test top1 {acc:.2f}")
    common.export(model, (64,), os.path.join(HERE, "model.onnx"))
    common.write_card(HERE, {
        "name": "digits_mlp", "task": "classification", "dataset": "digits", "split": "test",
        "input": {"name": "input", "shape": [1, 64], "layout": "NC"},
        "preprocess": PRE, "metric": "top1", "float_metric": round(acc, 2),
        "trained_with": {"seed": SEED, "epochs": EPOCHS}})


if __name__ == "__main__":
    main()
