"""Draws the 1,000-sample calibration sets and the validation splits of every dataset from its
TRAINING split (never from the test split), deterministically.

Reads <out>/<ds>_train.npz (built by the build_<ds>.py scripts) and writes, for ds in fmnist,
digits, kws, vibration:
  <out>/<ds>_calib_1k.npz  1,000 training samples, stratified by label (compressed). fmnist's is
                           build_fmnist.py's (100 per class, seed 20240301), not rewritten here;
                           digits_calib_1k.npz is also committed in datasets/fixtures/.
  <out>/<ds>_val.npz       training samples NOT in the calibration set: all of them, or a
                           stratified 10,000 when there are more (fmnist), for choosing among
                           quantization settings (`tinyq quantize --search --val`) without
                           touching the test set.

Stratification: class c gets 1000 * n_c / N samples, rounded by largest remainder (ties: the
lower class id), drawn without replacement with numpy.random.default_rng(SEED) class by class,
then sorted by training index. A dataset whose labels are all one class (vibration: normal
windows only) is simply a seeded random draw.
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build_fmnist  # noqa: E402
from npzio import load_npz, save_npz  # noqa: E402

CALIB_SAMPLES = 1000
VAL_MAX = 10000
CALIB_SEED = 20251201
VAL_SEED = 20251202
DATASETS = ("fmnist", "digits", "kws", "vibration")


def allocate(y, total):
    """Samples per class for a stratified draw of `total` (largest remainder, ties to low ids)."""
    classes, counts = np.unique(y, return_counts=True)
    exact = total * counts / counts.sum()
    alloc = np.floor(exact).astype(np.int64)
    order = sorted(range(len(classes)), key=lambda i: (-(exact[i] - alloc[i]), classes[i]))
    for i in order[:total - int(alloc.sum())]:
        alloc[i] += 1
    return dict(zip(classes.tolist(), alloc.tolist()))


def stratified(y, candidates, total, seed):
    """`total` indices of `candidates` (indices into y), stratified by y, sorted."""
    if total >= len(candidates):
        return np.sort(candidates)
    rng = np.random.default_rng(seed)
    picked = []
    for c, k in sorted(allocate(y[candidates], total).items()):
        members = candidates[y[candidates] == c]
        picked.append(rng.choice(members, size=k, replace=False))
    return np.sort(np.concatenate(picked))


def split_indices(name, y):
    """(calibration indices, validation indices) into the training split of dataset `name`."""
    everything = np.arange(len(y))
    if name == "fmnist":
        calib = build_fmnist.calib_indices(y)
    else:
        calib = stratified(y, everything, CALIB_SAMPLES, CALIB_SEED)
    rest = np.setdiff1d(everything, calib)
    return calib, stratified(y, rest, VAL_MAX, VAL_SEED)


def build(out_dir, names=DATASETS):
    res = {}
    for name in names:
        train = load_npz(os.path.join(out_dir, f"{name}_train.npz"))
        x, y = train["x"], train["y"]
        calib, val = split_indices(name, y)
        outputs = [(f"{name}_val", val, False)]
        if name != "fmnist":  # fmnist_calib_1k.npz comes from build_fmnist.py (same indices)
            outputs.insert(0, (f"{name}_calib_1k", calib, True))
        for file, idx, comp in outputs:
            p = os.path.join(out_dir, file + ".npz")
            res[file] = save_npz(p, compressed=comp, x=x[idx], y=y[idx])
            print(res[file], p, len(idx))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--datasets", default=",".join(DATASETS))
    args = ap.parse_args()
    build(args.out, [d for d in args.datasets.split(",") if d])


if __name__ == "__main__":
    main()
