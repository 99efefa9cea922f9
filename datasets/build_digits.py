"""Builds the 8x8 handwritten digits set from scikit-learn's bundled copy (load_digits).

x: uint8 (N, 64), the 8x8 image flattened row-major, values 0..16 (the original 4-bit counts);
y: int64 digit 0..9. Split: stratified, seeded (seed 5), 80/20 ->
  <out>/digits_train.npz (1,438), <out>/digits_test.npz (359),
  <out>/digits_calib.npz (first 100 training samples, compressed; committed as a fixture).
"""
import argparse
import os
import sys

import numpy as np
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from npzio import save_npz  # noqa: E402

SEED = 5


def build(out_dir):
    d = load_digits()
    x = d.data.astype(np.uint8)
    y = d.target.astype(np.int64)
    if not np.array_equal(x.astype(np.float64), d.data):
        raise SystemExit("load_digits: expected integer pixel counts 0..16")
    rng = np.random.default_rng(SEED)
    test = np.zeros(len(y), dtype=bool)
    for c in range(10):
        members = rng.permutation(np.flatnonzero(y == c))
        test[members[:int(round(len(members) * 0.2))]] = True
    tr, te = np.flatnonzero(~test), np.flatnonzero(test)
    res = {}
    for name, idx, comp in (("digits_train", tr, False), ("digits_test", te, False),
                            ("digits_calib", tr[:100], True)):
        p = os.path.join(out_dir, name + ".npz")
        res[name] = save_npz(p, compressed=comp, x=x[idx], y=y[idx])
        print(res[name], p, len(idx))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    build(args.out)


if __name__ == "__main__":
    main()
