"""Byte-for-byte deterministic .npz writing.

numpy's np.savez / np.savez_compressed stamp each zip member with the current local time, so two
builds of the same arrays give different bytes (and different sha256). This writer produces the same
layout numpy reads (a zip of .npy members) with a fixed timestamp, fixed member order and a fixed
zlib level, so the sha256 recorded in datasets/README.md is reproducible.
"""
import hashlib
import io
import os
import zipfile

import numpy as np

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def save_npz(path, compressed=False, **arrays):
    """Writes arrays (name -> ndarray, in the given order) to `path` atomically (temp file + rename)."""
    tmp = path + ".tmp"
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(tmp, "w", compression=method, allowZip64=True) as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=_FIXED_DATE)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            if compressed:
                zf.writestr(info, buf.getvalue(), compresslevel=6)
            else:
                zf.writestr(info, buf.getvalue())
    os.replace(tmp, path)
    return sha256_file(path)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
