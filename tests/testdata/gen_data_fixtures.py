#!/usr/bin/python3
"""Generates the .npy/.npz/IDX fixtures in tests/testdata/data/ used by tests/data/*_test.cc.

Tool: numpy (np.save, np.lib.format.write_array, np.savez, np.savez_compressed) and Python's
gzip/struct modules; the script prints the versions it ran with. Seed: none -- every value comes
from a deterministic formula of the C-order flat index i (see VALUES), which the C++ tests
recompute independently. Run: /usr/bin/python3 tests/testdata/gen_data_fixtures.py
(versions used for the committed files: Python 3.11, numpy 1.24.2).
"""
import gzip
import os
import struct
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

# Value of element i (C-order flat index) for each dtype code. Mirrored in tests/data/fixtures.h.
VALUES = {
    "f4": lambda i: i * 0.25 - 3.0,
    "f8": lambda i: (i - 5) / 3.0,
    "i1": lambda i: (i * 37) % 256 - 128,
    "u1": lambda i: (i * 37) % 256,
    "i2": lambda i: i * 1000 - 12000,
    "u2": lambda i: (i * 2900) % 65536,
    "i4": lambda i: i * 100000 - 1000003,
    "u4": lambda i: (i * 300000007) % (1 << 32),
    "i8": lambda i: i * 10**12 - 7,
    "u8": lambda i: i * 10**15,
    "b1": lambda i: i % 3 == 0,
}
NP = {"f4": np.float32, "f8": np.float64, "i1": np.int8, "u1": np.uint8, "i2": np.int16,
      "u2": np.uint16, "i4": np.int32, "u4": np.uint32, "i8": np.int64, "u8": np.uint64,
      "b1": np.bool_}


def formula(code, shape, byteorder="<"):
    n = int(np.prod(shape)) if shape else 1
    a = np.array([VALUES[code](i) for i in range(n)], dtype=NP[code]).reshape(shape)
    if byteorder == ">":
        a = a.astype(a.dtype.newbyteorder(">"))
    return a


def path(name):
    return os.path.join(OUT, name)


def write_idx(name, code, type_code, shape, compress):
    a = formula(code, shape)
    header = struct.pack(">BBBB", 0, 0, type_code, len(shape)) + b"".join(
        struct.pack(">I", d) for d in shape)
    payload = header + a.astype(a.dtype.newbyteorder(">")).tobytes()
    if compress:
        with open(path(name), "wb") as f:
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as g:
                g.write(payload)
    else:
        with open(path(name), "wb") as f:
            f.write(payload)


def main():
    os.makedirs(OUT, exist_ok=True)
    shape = (2, 3, 4)
    for code in VALUES:
        np.save(path(f"dtype_{code}.npy"), formula(code, shape))
    for code in ["f4", "u1", "i2", "i8", "b1"]:
        np.save(path(f"fortran_{code}.npy"), np.asfortranarray(formula(code, shape)))
    np.save(path("fortran_f8_2d.npy"), np.asfortranarray(formula("f8", (3, 5))))
    for code in ["f4", "f8", "i2", "u2", "i4", "u4", "i8"]:
        a = formula(code, shape, ">")
        assert a.dtype.str[0] == ">"
        np.save(path(f"be_{code}.npy"), a)
    np.save(path("be_fortran_i4.npy"), np.asfortranarray(formula("i4", shape, ">")))
    np.save(path("scalar_f8.npy"), formula("f8", ()))
    np.save(path("empty_f4.npy"), formula("f4", (0, 3)))
    for version in [(2, 0), (3, 0)]:
        with open(path(f"v{version[0]}_f4.npy"), "wb") as f:
            np.lib.format.write_array(f, formula("f4", shape), version=version)

    x = formula("f4", (4, 2, 3))
    y = np.array([3, 0, 2, 1], dtype=np.int64)
    np.savez(path("stored.npz"), x=x, y=y)
    np.savez_compressed(path("compressed.npz"), x=x, y=y)
    # A larger, compressible array so deflate really runs with back-references.
    np.savez_compressed(path("compressed_big.npz"), x=formula("u1", (64, 32)))
    np.savez(path("y_uint8.npz"), x=x, y=y.astype(np.uint8))

    for code, tc in [("u1", 0x08), ("i1", 0x09), ("i2", 0x0B), ("i4", 0x0C), ("f4", 0x0D),
                     ("f8", 0x0E)]:
        write_idx(f"idx_{code}.idx", code, tc, (3, 4), compress=False)
        write_idx(f"idx_{code}.idx.gz", code, tc, (3, 4), compress=True)

    # A tiny MNIST-like pair: 3 images of 28x28 u8, pixel(k, r, c) = (50k + 9r + c) % 256.
    imgs = np.array([[[(50 * k + 9 * r + c) % 256 for c in range(28)] for r in range(28)]
                     for k in range(3)], dtype=np.uint8)
    with gzip.GzipFile(path("mini-images-idx3-ubyte.gz"), "wb", mtime=0) as g:
        g.write(struct.pack(">BBBBIII", 0, 0, 8, 3, 3, 28, 28) + imgs.tobytes())
    with gzip.GzipFile(path("mini-labels-idx1-ubyte.gz"), "wb", mtime=0) as g:
        g.write(struct.pack(">BBBBI", 0, 0, 8, 1, 3) + bytes([7, 2, 1]))
    # Broken on purpose: a gzip IDX whose header declares 2^30 labels but holds 100 bytes.
    with gzip.GzipFile(path("huge-dims-idx1-ubyte.gz"), "wb", mtime=0) as g:
        g.write(struct.pack(">BBBBI", 0, 0, 8, 1, 1 << 30) + bytes(100))
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}: wrote {len(os.listdir(OUT))} "
          f"files to {OUT}")


if __name__ == "__main__":
    main()
