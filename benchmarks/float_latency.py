#!/usr/bin/python3
"""Batch-1 latency of tinyq's float executor against ONNX Runtime (npm), 1 thread each.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/float_latency.py [--runs 200] [--out FILE.json]

Models: the torchvision architectures of benchmarks/torchvision/export.py (1x3x64x64) and the zoo
models present in benchmarks/zoo. For each model both runtimes run the same input: 20 warm-up runs,
then --runs timed runs; the medians of wall time and of CPU time per run are reported, with the
ratios tinyq / ONNX Runtime. Wall time needs an otherwise idle machine; CPU time (tinyq: the calling
thread's, ORT: its process's) stays meaningful when other processes compete for the cores.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "python"))
import tinyq  # noqa: E402


def time_tinyq(model_path, x, runs):
    m = tinyq.load(model_path)
    name = next(iter(m.inputs))
    feeds = {name: x}
    for _ in range(20):
        m.run(feeds)
    times, cpu = [], []
    for _ in range(runs):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        m.run(feeds)
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.thread_time() - c0) * 1e3)
    return statistics.median(times), statistics.median(cpu), name


def time_ort(model_path, name, x, runs, tmp):
    np.save(tmp / "x.npy", x)
    r = subprocess.run(["node", str(ROOT / "benchmarks/ort/run.js"), str(model_path), "--input",
                        f"{name}={tmp / 'x.npy'}", "--threads", "1", "--time", str(runs)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    tv_dir = ROOT / "build" / "torchvision"
    subprocess.run(["/usr/bin/python3", str(ROOT / "benchmarks/torchvision/export.py"),
                    str(tv_dir)], check=True, capture_output=True)
    models = sorted(tv_dir.glob("*.onnx")) + sorted((ROOT / "benchmarks/zoo").glob("*/model.onnx"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in models:
            m = tinyq.load(path)
            shape = next(iter(m.inputs.values()))
            x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
            ours, ours_cpu, name = time_tinyq(path, x, args.runs)
            ort = time_ort(path, name, x, args.runs, Path(tmp))
            label = path.stem if path.parent == tv_dir else path.parent.name
            rows.append({"model": label, "tinyq_ms": round(ours, 4),
                         "ort_ms": round(ort["median_ms"], 4),
                         "ratio": round(ours / ort["median_ms"], 3),
                         "tinyq_cpu_ms": round(ours_cpu, 4),
                         "ort_cpu_ms": round(ort["median_cpu_ms"], 4),
                         "cpu_ratio": round(ours_cpu / max(ort["median_cpu_ms"], 1e-6), 3)})
            print(f"{label:20s} wall: tinyq {ours:8.3f} ms  ORT {ort['median_ms']:8.3f} ms  "
                  f"ratio {ours / ort['median_ms']:5.2f} | CPU: tinyq {ours_cpu:8.3f} ms  "
                  f"ORT {ort['median_cpu_ms']:8.3f} ms  ratio "
                  f"{ours_cpu / max(ort['median_cpu_ms'], 1e-6):5.2f}", flush=True)
    result = {"machine": {"cpu": platform.processor() or platform.machine(),
                          "cores": os.cpu_count(), "threads": 1},
              "versions": {"tinyq": tinyq.__version__, "onnxruntime": ort["ort_version"]},
              "runs": args.runs, "rows": rows}
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
