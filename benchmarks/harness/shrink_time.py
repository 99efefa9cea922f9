"""`tinyq shrink` end to end against the PyTorch equivalent: post-training quantization plus
evaluation of the float and int8 models on the test set.

tinyq: `tinyq shrink MODEL --data TEST.npz --calib CALIB.npz --card card.json -o DIR` (wall time
of the process: load, optimize, calibrate + quantize, evaluate float and int8, export ONNX and C,
reports; no --target, so no cross-build; all cores). The stage times come from its summary.
PyTorch (same process, torch.set_num_threads(2) = all cores): read the .npz files, preprocess,
build the nn.Module and load the ONNX weights, prepare_fx + calibrate + convert_fx, evaluate the
float and the int8 module on the test set (batches of 1,000) and compute the card's metric.
"""
import re
import time
import warnings
from pathlib import Path

import numpy as np
import torch

import benchlib
from benchlib import ptq

THREADS = 2


def _stage_seconds(summary):
    """{stage: seconds} from the `stage  seconds` table of the shrink summary."""
    stages, inside = {}, False
    for line in summary.splitlines():
        if line.strip().startswith("stage") and "seconds" in line:
            inside = True
            continue
        if inside:
            m = re.match(r"^\s+(.+?)\s+([0-9.]+)$", line)
            if not m:
                break
            stages[m.group(1)] = float(m.group(2))
    return stages


def tinyq_shrink(art, test_npz, work):
    d = benchlib.ZOO / art.name
    out = Path(work) / f"{art.name}_shrink"
    summary, seconds = benchlib.tinyq(
        "shrink", art.float_onnx, "--data", test_npz, "--calib", ptq.calib_path(art.card),
        "--card", d / "card.json", "-o", out, "--force", "--threads", THREADS)
    return {"seconds": seconds, "stages": _stage_seconds(summary), "threads": THREADS}


def pytorch_equivalent(art, test_npz):
    torch.set_num_threads(THREADS)
    card, name = art.card, art.name
    t0 = time.perf_counter()
    with np.load(test_npz) as z:
        x_raw, y = z["x"], z["y"]
    x = art.batch_of(benchlib.preprocess(x_raw, card))
    x_calib = art.batch_of(benchlib.preprocess(benchlib.calib_data(card), card))
    t_data = time.perf_counter()
    model = ptq.load_onnx_weights(ptq.build_module(name), art.float_onnx, card["input"]["shape"])
    t_load = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        qmodel, _ = ptq.pytorch_ptq(model, "x86", "onednn", x_calib, card["input"]["shape"])
    t_ptq = time.perf_counter()
    float_metric = benchlib.metric(card, ptq.predict(model, x), x, y)
    t_float = time.perf_counter()
    int8_metric = benchlib.metric(card, ptq.predict(qmodel, x), x, y)
    t_end = time.perf_counter()
    return {"seconds": t_end - t0, "threads": THREADS,
            "stages": {"read + preprocess": t_data - t0, "build + load weights": t_load - t_data,
                       "prepare + calibrate + convert": t_ptq - t_load,
                       "evaluate float": t_float - t_ptq, "evaluate int8": t_end - t_float},
            "float_metric": float_metric, "int8_metric": int8_metric}


def compare(art, limit, work):
    """{"tinyq": ..., "pytorch": ..., "test_samples": n} (errors as {"error"})."""
    test_npz = ptq.test_path(art.card)
    if limit:
        x, y = benchlib.test_data(art.card, limit)
        test_npz = Path(work) / f"{art.name}_test_{limit}.npz"
        np.savez(test_npz, x=x, y=y)
    with np.load(test_npz) as z:
        n = int(len(z["y"]))
    row = {"test_samples": n}
    try:
        row["tinyq"] = tinyq_shrink(art, test_npz, work)
    except benchlib.HarnessError as e:
        row["tinyq"] = {"error": str(e)}
    try:
        row["pytorch"] = pytorch_equivalent(art, test_npz)
    except (ValueError, RuntimeError) as e:
        row["pytorch"] = {"error": f"{type(e).__name__}: {e}"}
    return row
