"""Builds Fashion-MNIST .npz files from Debian's dataset-fashion-mnist package.

Outputs (x: uint8 (N,1,28,28), y: int64 (N,)):
  <out>/fmnist_train.npz     60,000 training images (file order)
  <out>/fmnist_test.npz      10,000 test images (file order)
  <out>/fmnist_calib_1k.npz  1,000 training images, 100 per class, drawn with seed 20240301
                             (sorted by training index), compressed; also committed as
                             datasets/fixtures/fmnist_calib_1k.npz
"""
import argparse
import gzip
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npzio import save_npz  # noqa: E402

SRC = "/usr/share/datasets/fashion-mnist"
CALIB_SEED = 20240301
CALIB_PER_CLASS = 100


def read_idx(path):
    """Reads a gzipped big-endian IDX file (magic 0x00000801 labels / 0x00000803 images)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#x})")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {dims} elements, got {arr.size}")
    return arr.reshape(dims)


def load_split(split, src=SRC):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(src, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(src, f"{prefix}-labels-idx1-ubyte.gz"))
    return x.reshape(-1, 1, 28, 28).copy(), y.astype(np.int64)


def calib_indices(y, per_class=CALIB_PER_CLASS, seed=CALIB_SEED):
    """Stratified, seeded subset: `per_class` indices of each class, returned sorted."""
    rng = np.random.default_rng(seed)
    idx = []
    for c in range(10):
        members = np.flatnonzero(y == c)
        idx.append(rng.choice(members, size=per_class, replace=False))
    return np.sort(np.concatenate(idx))


def build_calib(out_path, src=SRC):
    x, y = load_split("train", src)
    idx = calib_indices(y)
    return save_npz(out_path, compressed=True, x=x[idx], y=y[idx])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    ap.add_argument("--calib-only", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if not args.calib_only:
        for split in ("train", "test"):
            x, y = load_split(split)
            p = os.path.join(args.out, f"fmnist_{split}.npz")
            print(save_npz(p, x=x, y=y), p)
    p = os.path.join(args.out, "fmnist_calib_1k.npz")
    print(build_calib(p), p)


if __name__ == "__main__":
    main()
