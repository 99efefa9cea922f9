"""Shared pytest fixtures: paths to the build, the CLI, ONNX Runtime (npm) and test data."""
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


# The CLI under test: BUILD/tinyq, or TINYQ_CLI (tests/sanitize.sh points it at the ASan+UBSan
# build while `import tinyq` keeps using BUILD/python).
CLI = Path(os.environ.get("TINYQ_CLI", BUILD / "tinyq"))
# TINYQ_CLI_TESTS_ONLY=1 keeps only the tests that run the CLI (fixtures cli / tinyq_exe).
CLI_FIXTURES = {"cli", "tinyq_exe"}
# With TINYQ_CLI the CLI (clang, sanitizers) and `import tinyq` (gcc) are two builds: their float
# results agree to rounding, not bit for bit. Tests that compare the CLI's numbers with Python's
# use same_numbers / same_report, exact within one build.
CROSS_BUILD = "TINYQ_CLI" in os.environ


def assert_same_numbers(a, b, err_msg=""):
    """a == b element for element; across two builds, floats to 1e-3 relative (1e-5 absolute)
    and integers within one step (a rounding tie may fall the other way)."""
    a, b = np.asarray(a), np.asarray(b)
    if not CROSS_BUILD:
        np.testing.assert_array_equal(a, b, err_msg=err_msg)
        return
    assert a.shape == b.shape and a.dtype == b.dtype, (err_msg, a.shape, b.shape, a.dtype, b.dtype)
    if np.issubdtype(a.dtype, np.floating):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5, err_msg=err_msg)
    elif a.size:
        assert np.abs(a.astype(np.int64) - b.astype(np.int64)).max() <= 1, err_msg


def same_report(a, b):
    """a == b for report dicts; across two builds floats compare to 1e-3 relative."""
    if not CROSS_BUILD:
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_report(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_report(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return (isinstance(a, (int, float)) and isinstance(b, (int, float)) and
                abs(a - b) <= 1e-3 * max(abs(a), abs(b), 1e-2))
    return a == b


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "heavy: long accuracy runs over whole zoo test sets or repeated quantizations; "
        "the sanitizer job's CLI pass (TINYQ_CLI_TESTS_ONLY=1) leaves them to the normal pass, "
        "lighter tests run the same commands under the sanitizers")
    config.addinivalue_line(
        "markers", "same_build: compares numbers the CLI computes with those `import tinyq` "
        "computes, which agree bit for bit only within one build; the sanitizer job's CLI pass "
        "(a clang CLI beside the gcc extension) leaves them to the normal pass")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TINYQ_CLI_TESTS_ONLY") != "1":
        return
    keep = [i for i in items if CLI_FIXTURES & set(getattr(i, "fixturenames", ()))
            and i.get_closest_marker("heavy") is None
            and i.get_closest_marker("same_build") is None]
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep


@pytest.fixture(scope="session")
def tinyq_exe():
    """Path of the tinyq CLI under test."""
    assert CLI.exists(), f"{CLI} is not built; run bash tests/run_all.sh"
    return CLI


@pytest.fixture(scope="session")
def cli(tinyq_exe):
    """Runs the tinyq CLI: cli("inspect", path, ...) -> CompletedProcess (text)."""
    exe = tinyq_exe

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


# ---- the quantization tests' zoo fixtures (helpers in zoo_quant.py) -------------------------------

@pytest.fixture(scope="module")
def zoo(cli, tmp_path_factory):
    """name -> {"onnx", "report", "dir"} (+ "int8", the CLI's test-set metric, with
    evaluate=True): each zoo model quantized once with default settings (once per test module)."""
    import zoo_quant
    cache = {}

    def get(name, evaluate=False):
        if name not in cache:
            d = tmp_path_factory.mktemp(name)
            report = zoo_quant.quantize_cli(cli, name, d / "int8.onnx", report=d / "report.json")
            cache[name] = {"onnx": d / "int8.onnx", "report": report, "dir": d}
        if evaluate and "int8" not in cache[name]:
            cache[name]["int8"] = zoo_quant.eval_int8(cli, cache[name]["onnx"], name)
        return cache[name]
    return get


@pytest.fixture(scope="module")
def test_sets():
    """name -> (preprocessed test inputs, labels) of a zoo model's test set."""
    import zoo_quant
    cache = {}

    def get(name):
        if name not in cache:
            card = zoo_quant.card_of(name)
            with np.load(zoo_quant.paths(name)[3]) as z:
                cache[name] = (zoo_quant.preprocess(card, z["x"]), z["y"])
        return cache[name]
    return get


@pytest.fixture(scope="module")
def dscnn_x():
    """1000 fmnist test images (uint8) and their preprocessed float input."""
    import zoo_quant
    with np.load(zoo_quant.paths(zoo_quant.DSCNN)[3]) as z:
        x = z["x"][:1000]
    return x, zoo_quant.preprocess(zoo_quant.card_of(zoo_quant.DSCNN), x)
