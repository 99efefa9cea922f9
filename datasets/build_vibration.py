"""Builds the machine-vibration anomaly-detection set from the physical model in vibration.py.

Outputs (x: float32 (N,128) log band powers, y: int64, 0 normal / 1 anomalous):
  <out>/vibration_train.npz  3,000 normal windows (seed 11)
  <out>/vibration_test.npz   1,000 normal + 1,000 anomalous (250 each: outer race, inner race,
                             imbalance, misalignment), interleaved in a seeded order (seed 12)
  <out>/vibration_calib.npz  the first 200 training windows, compressed (committed as a fixture)
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vibration  # noqa: E402
from npzio import save_npz  # noqa: E402


def generate(conditions, seed):
    rng = np.random.default_rng(seed)
    raw = np.stack([vibration.window(rng, c) for c in conditions])
    return vibration.features(raw)


def build(out_dir):
    train = generate(["normal"] * 3000, seed=11)
    conds = ["normal"] * 1000 + [f for f in vibration.FAULTS[1:] for _ in range(250)]
    order = np.random.default_rng(12).permutation(len(conds))
    conds = [conds[i] for i in order]
    test = generate(conds, seed=13)
    ytest = np.array([c != "normal" for c in conds], dtype=np.int64)
    res = {}
    for name, x, y, comp in (("vibration_train", train, np.zeros(len(train), np.int64), False),
                             ("vibration_test", test, ytest, False),
                             ("vibration_calib", train[:200], np.zeros(200, np.int64), True)):
        p = os.path.join(out_dir, name + ".npz")
        res[name] = save_npz(p, compressed=comp, x=x, y=y)
        print(res[name], p, len(x))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    build(args.out)


if __name__ == "__main__":
    main()
