"""fmnist_dscnn: the MLPerf Tiny KWS DS-CNN (64 channels, 4 depthwise-separable blocks) on
Fashion-MNIST: the first conv is 3x3 stride 2 (28x28 -> 14x14) instead of 10x4 on MFCCs."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 1
EPOCHS = int(os.environ.get("EPOCHS", 8))
PRE = {"scale": 1.0 / 255.0, "mean": 0.2860, "std": 0.3530}


def build():
    return common.ds_cnn(1, 10, 3, 2, 1)


def main():
    common.setup(SEED)
    xtr, ytr = common.load("fmnist", "train")
    xte, yte = common.load("fmnist", "test")
    xtr, xte = common.preprocess(xtr, PRE), common.preprocess(xte, PRE)
    model = build()
    common.train_classifier(model, xtr, ytr, EPOCHS, lr=4e-3,
                            augment=lambda b: common.random_shift_flip(b, max_shift=1))
    acc = common.top1(model, xte, yte)
    print(f"test top1 {acc:.2f}")
    common.export(model, (1, 28, 28), os.path.join(HERE, "model.onnx"))
    common.write_card(HERE, {
        "name": "fmnist_dscnn", "task": "classification", "dataset": "fmnist", "split": "test",
        "input": {"name": "input", "shape": [1, 1, 28, 28], "layout": "NCHW"},
        "preprocess": PRE, "metric": "top1", "float_metric": round(acc, 2),
        "trained_with": {"seed": SEED, "epochs": EPOCHS}})


if __name__ == "__main__":
    main()
