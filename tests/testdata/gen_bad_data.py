#!/usr/bin/python3
"""Writes the checked-in catalogue of broken data files (tests/testdata/bad_data/).

Made with Python 3.11 + numpy 1.24 (Debian 12); deterministic, no randomness. Each file is used by
tests/python/test_bad_inputs.py with the exit code and message listed in bad_catalogue.json.
"""
import gzip
import io
import os
import struct
import zipfile

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad_data")


def npy_bytes(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def npz_bytes(**arrays):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, a in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, npy_bytes(a))
    return buf.getvalue()


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    x = (np.arange(4 * 64, dtype=np.float32).reshape(4, 1, 8, 8) % 7) / 7
    y = np.array([0, 1, 2, 0], np.int64)
    good = npy_bytes(x)
    write("truncated.npy", good[:-17])
    write("bad_magic.npy", b"\x93NUMPX" + good[6:])
    write("header_garbage.npy", good[:10] + b"{'descr': <f4, 'shape': (4,)}".ljust(len(good) - 10))
    write("float16.npy", npy_bytes(x.astype(np.float16)))
    write("empty.npz", b"")
    write("no_x.npz", npz_bytes(y=y))
    write("y_wrong_length.npz", npz_bytes(x=x, y=y[:3]))
    write("y_float.npz", npz_bytes(x=x, y=y.astype(np.float32)))
    write("y_negative.npz", npz_bytes(x=x, y=np.array([0, -1, 2, 0], np.int64)))
    write("label_out_of_range.npz", npz_bytes(x=x, y=np.array([0, 1, 3, 0], np.int64)))
    nan_x = x.copy()
    nan_x[2, 0, 3, 3] = np.nan
    write("nan_x.npz", npz_bytes(x=nan_x, y=y))
    write("wrong_shape.npz", npz_bytes(x=x[:, :, :7, :], y=y))
    write("no_samples.npz", npz_bytes(x=x[:0], y=y[:0]))
    good_npz = bytearray(npz_bytes(x=x, y=y))
    crc = bytearray(good_npz)
    crc[14:18] = b"\xde\xad\xbe\xef"  # local header CRC32 of the first entry
    # the central directory holds the CRC too; corrupt both so the mismatch is with the data
    cd = good_npz.rfind(b"PK\x01\x02", 0, len(good_npz))
    first_cd = good_npz.find(b"PK\x01\x02")
    crc[first_cd + 16:first_cd + 20] = b"\xde\xad\xbe\xef"
    write("crc_mismatch.npz", bytes(crc))
    write("truncated.npz", bytes(good_npz[: len(good_npz) // 2]))
    huge = bytearray(good_npz)
    huge[first_cd + 24:first_cd + 28] = struct.pack("<I", 0xFFFFFFF0)  # uncompressed size
    huge[22:26] = struct.pack("<I", 0xFFFFFFF0)
    write("huge_declared_size.npz", bytes(huge))
    del cd
    idx = struct.pack(">BBBB", 0, 0, 8, 3) + struct.pack(">III", 10, 28, 28) + bytes(100)
    write("truncated-images-idx3-ubyte", idx)
    inf_x = x.copy()
    inf_x[1, 0, 0, 5] = -np.inf
    write("inf_x.npz", npz_bytes(x=inf_x, y=y))
    write("no_samples.npy", npy_bytes(x[:0]))
    # Archives whose declared sizes exceed what the file holds: a deflated entry claiming 1 GiB
    # (deflate expands at most ~1032:1), and a gzip IDX claiming 60000x28x28 images.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("x.npy", date_time=(1980, 1, 1, 0, 0, 0)), good,
                   compress_type=zipfile.ZIP_DEFLATED)
    bomb = bytearray(buf.getvalue())
    cd = bomb.find(b"PK\x01\x02")
    bomb[cd + 24:cd + 28] = struct.pack("<I", 1 << 30)  # central directory: uncompressed size
    bomb[22:26] = struct.pack("<I", 1 << 30)            # local header: uncompressed size
    write("deflate_declared_1gib.npz", bytes(bomb))
    idx_gz = gzip.compress(struct.pack(">BBBB", 0, 0, 8, 3) + struct.pack(">III", 60000, 28, 28) +
                           bytes(100), mtime=0)
    write("declared_60000-images-idx3-ubyte.gz", idx_gz)


if __name__ == "__main__":
    main()
