"""Shared pytest fixtures: paths to the build, the CLI, ONNX Runtime (npm) and test data."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("TINYQ_BUILD_DIR", ROOT / "build"))
TESTDATA = ROOT / "tests" / "testdata"
ORT_RUNNER = ROOT / "benchmarks" / "ort" / "run.js"

sys.path.insert(0, str(BUILD / "python"))


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def build_dir():
    return BUILD


@pytest.fixture(scope="session")
def cli():
    """Runs the tinyq CLI: cli("inspect", path, ...) -> CompletedProcess (text)."""
    exe = BUILD / "tinyq"
    assert exe.exists(), f"{exe} is not built; run bash tests/run_all.sh"

    def run(*args, **kw):
        return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True,
                              timeout=kw.pop("timeout", 600), **kw)
    return run


def run_ort(model, inputs, out_dir, threads=1):
    """Runs ONNX Runtime (onnxruntime-node) on {name: ndarray}; returns {output name: ndarray}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    args = ["node", str(ORT_RUNNER), str(model), "--out", str(out_dir / "out"),
            "--threads", str(threads)]
    for name, arr in inputs.items():
        p = out_dir / f"in_{len(args)}.npy"
        np.save(p, arr)
        args += ["--input", f"{name}={p}"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return {p.stem: np.load(p) for p in (out_dir / "out").glob("*.npy")}


@pytest.fixture(scope="session")
def ort():
    return run_ort
