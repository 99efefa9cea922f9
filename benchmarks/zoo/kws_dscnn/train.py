"""kws_dscnn: the MLPerf Tiny KWS DS-CNN on the espeak-ng keyword set (49x10 MFCCs, 12 classes):
conv 10x4 stride 2 (padding 5x1: 49x10 -> 25x5), 4 depthwise-separable blocks of 64 channels,
global average pool, dense 12. Training shifts clips by up to +-4 frames. Input is standardised with the training set's global mean/std."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 1
EPOCHS = int(os.environ.get("EPOCHS", 50))


def time_shift(xb, max_frames=4):
    """Shifts each clip's MFCC frames by up to max_frames (20 ms each), repeating the edge frame."""
    import torch
    n = xb.shape[0]
    p = max_frames
    padded = torch.nn.functional.pad(xb, (0, 0, p, p), mode="replicate")
    shift = torch.randint(0, 2 * p + 1, (n,))
    out = torch.empty_like(xb)
    for s in range(2 * p + 1):
        m = shift == s
        if m.any():
            out[m] = padded[m, :, s:s + xb.shape[2], :]
    return out


def build():
    return common.ds_cnn(1, 12, (10, 4), 2, (5, 1))


def main():
    common.setup(SEED)
    xtr, ytr = common.load("kws", "train")
    xte, yte = common.load("kws", "test")
    pre = common.standardize_params(xtr)
    xtr, xte = common.preprocess(xtr, pre), common.preprocess(xte, pre)
    model = build()
    common.train_classifier(model, xtr, ytr, EPOCHS, lr=3e-3, batch=64, wd=1e-3, augment=time_shift)
    acc = common.top1(model, xte, yte)
    print(f"test top1 {acc:.2f}")
    common.export(model, (1, 49, 10), os.path.join(HERE, "model.onnx"))
    common.write_card(HERE, {
        "name": "kws_dscnn", "task": "classification", "dataset": "kws", "split": "test",
        "input": {"name": "input", "shape": [1, 1, 49, 10], "layout": "NCHW"},
        "preprocess": pre, "metric": "top1", "float_metric": round(acc, 2),
        "trained_with": {"seed": SEED, "epochs": EPOCHS}})


if __name__ == "__main__":
    main()
