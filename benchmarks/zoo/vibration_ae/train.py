"""vibration_ae: the MLPerf Tiny anomaly-detection (ToyADMOS) style dense autoencoder on the
128 log band powers of a vibration window:
128 -> [dense 128 - BN - ReLU] x3 -> dense 8 - BN - ReLU -> [dense 128 - BN - ReLU] x3 -> dense 128.
Trained on normal windows only; the anomaly score is the reconstruction MSE
mean((reconstruction - input)^2) over the 128 preprocessed features; metric: ROC AUC on the
labelled test set (1 = anomalous)."""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 1
EPOCHS = int(os.environ.get("EPOCHS", 40))


def dense(i, o):
    return [nn.Linear(i, o, bias=False), nn.BatchNorm1d(o), nn.ReLU()]


def build():
    return nn.Sequential(*dense(128, 128), *dense(128, 128), *dense(128, 128), *dense(128, 8),
                         *dense(8, 128), *dense(128, 128), *dense(128, 128), nn.Linear(128, 128))


def scores(model, x):
    rec = common.predict(model, x)
    return np.mean((rec - x) ** 2, axis=1)


def main():
    common.setup(SEED)
    xtr, _ = common.load("vibration", "train")
    xte, yte = common.load("vibration", "test")
    pre = common.standardize_params(xtr)
    xtr, xte = common.preprocess(xtr, pre), common.preprocess(xte, pre)
    model = build()
    xt = torch.from_numpy(xtr)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = EPOCHS * ((len(xt) + 63) // 64)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=steps)
    for ep in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(xt))
        tot = 0.0
        for i in range(0, len(xt), 64):
            xb = xt[perm[i:i + 64]]
            loss = ((model(xb) - xb) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(xb)
        if (ep + 1) % 10 == 0:
            print(f"epoch {ep + 1}/{EPOCHS} mse {tot / len(xt):.4f}")
    auc = float(roc_auc_score(yte, scores(model, xte)))
    print(f"test auc {auc:.4f}")
    common.export(model, (128,), os.path.join(HERE, "model.onnx"), output_name="reconstruction")
    common.write_card(HERE, {
        "name": "vibration_ae", "task": "anomaly", "dataset": "vibration", "split": "test",
        "input": {"name": "input", "shape": [1, 128], "layout": "NC"},
        "preprocess": pre, "metric": "auc", "score": "reconstruction_mse",
        "float_metric": round(auc, 4), "trained_with": {"seed": SEED, "epochs": EPOCHS}})


if __name__ == "__main__":
    main()
