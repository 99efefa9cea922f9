"""Shared pieces of the benchmark harness: paths, zoo cards and data, running tinyq and ONNX
Runtime, timing statistics, and what the machine is."""
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
ZOO = ROOT / "benchmarks" / "zoo"
ORT_RUNNER = ROOT / "benchmarks" / "ort" / "run.js"
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "build" / "python"))
import ptq_vs_pytorch as ptq  # noqa: E402  (zoo modules, calibration sets, PyTorch PTQ)

MODELS = list(ptq.MODELS)
WARMUP = 20


class HarnessError(Exception):
    pass


def card_of(name):
    return ptq.card_of(name)


def model_path(name):
    return ZOO / name / "model.onnx"


def test_data(card, limit=0):
    """(raw x, y) of the card's test split, the first `limit` samples when limit > 0."""
    return ptq.load_npz(ptq.test_path(card), limit or None)


def calib_data(card):
    """Raw x of the calibration set both sides use (ptq_vs_pytorch.calib_path)."""
    return ptq.load_npz(ptq.calib_path(card))[0]


def preprocess(x, card):
    return ptq.onnx_np.preprocess(x, card["preprocess"])


def metric(card, outputs, inputs, y):
    """The card's metric (top-1 % or AUC) from float outputs on preprocessed inputs."""
    return ptq.metric(card, np.asarray(outputs, np.float32).reshape(len(inputs), -1), inputs, y)


def tinyq_exe():
    return ptq.find_tinyq(None)


def run(cmd, what=None, timeout=3600, env=None):
    """Runs cmd; returns (stdout, seconds). HarnessError names the command and its first error."""
    cmd = [str(c) for c in cmd]
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise HarnessError(f"{what or cmd[0]}: {e}")
    seconds = time.perf_counter() - t0
    if r.returncode != 0:
        lines = [ln.strip() for ln in (r.stderr + r.stdout).splitlines()
                 if ln.strip() and "ETA" not in ln] or ["(no output)"]
        raise HarnessError(f"{what or ' '.join(cmd[:2])} exit {r.returncode}: {lines[0]}")
    return r.stdout, seconds


def tinyq(*args, what=None, timeout=3600):
    """Runs the tinyq CLI; returns (stdout, seconds)."""
    return run([tinyq_exe(), *args], what=what or f"tinyq {args[0]}", timeout=timeout)


def ort(model, feeds, tmp, *flags):
    """Runs benchmarks/ort/run.js on {input name: array}; returns its last JSON line (or {})."""
    cmd = ["node", ORT_RUNNER, model]
    for name, arr in feeds.items():
        f = Path(tmp) / f"ort_in_{re.sub(r'[^A-Za-z0-9_]', '_', name)}.npy"
        np.save(f, np.ascontiguousarray(arr))
        cmd += ["--input", f"{name}={f}"]
    out, _ = run(cmd + [str(f) for f in flags], what=f"onnxruntime on {Path(model).name}")
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def stats(wall_s, cpu_s):
    """Median/min wall time and median CPU time in ms of per-call samples (seconds)."""
    return {"median_ms": 1e3 * statistics.median(wall_s), "min_ms": 1e3 * min(wall_s),
            "median_cpu_ms": 1e3 * statistics.median(cpu_s), "runs": len(wall_s)}


def time_calls(fn, runs, warmup=WARMUP):
    """Calls fn() warmup times, then times `runs` calls: wall and calling-thread CPU time."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return stats(wall, cpu)


def ratio(a, b):
    return None if a is None or b is None or b <= 0 else a / b


def quantize_input(x, scale, zero_point):
    """ONNX QuantizeLinear to int8 (round half to even, saturate)."""
    return np.clip(np.rint(x / np.float32(scale)) + zero_point, -128, 127).astype(np.int8)


def dequantize(q, scale, zero_point):
    return (q.astype(np.float32) - np.float32(zero_point)) * np.float32(scale)


def _first_line(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (r.stdout or r.stderr).splitlines()[0].strip()
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return None


def machine():
    """What the numbers were measured on: CPU, cores, load, OS."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(),
            "load_average_at_start": [round(v, 2) for v in os.getloadavg()]}


def versions():
    import torch
    import tinyq as tq
    ort_pkg = ROOT / "benchmarks/ort/node_modules/onnxruntime-node/package.json"
    git = _first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    return {"tinyq": f"{tq.__version__} ({git})" if git else tq.__version__,
            "onnxruntime": json.loads(ort_pkg.read_text())["version"] if ort_pkg.exists() else None,
            "node": _first_line(["node", "--version"]),
            "torch": torch.__version__, "numpy": np.__version__,
            "python": platform.python_version(),
            "gcc": _first_line(["gcc", "--version"]),
            "arm_none_eabi_gcc": _first_line(["arm-none-eabi-gcc", "--version"]),
            "qemu": _first_line(["qemu-system-arm", "--version"])}
