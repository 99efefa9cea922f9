"""Differential test against a real peer: torchvision architectures exported to ONNX run in tinyq's
float executor and in ONNX Runtime (npm); every output must agree to a relative L2 error <= 1e-4.
"""
import subprocess

import numpy as np
import pytest

import tinyq
from conftest import BUILD, ROOT

MODELS = ["mobilenet_v2", "mobilenet_v3_small", "resnet18", "squeezenet1_1",
          "shufflenet_v2_x0_5", "mnasnet0_5"]
CACHE = BUILD / "torchvision"


@pytest.fixture(scope="module")
def exported():
    r = subprocess.run(["/usr/bin/python3", str(ROOT / "benchmarks/torchvision/export.py"),
                        str(CACHE)], capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr
    return CACHE


def rel_l2(a, b):
    return float(np.linalg.norm(a.astype(np.float64) - b) / max(np.linalg.norm(b), 1e-30))


@pytest.mark.parametrize("name", MODELS)
def test_matches_onnxruntime(name, exported, ort, tmp_path):
    x = np.load(exported / f"{name}.input.npy")
    ours = tinyq.load(exported / f"{name}.onnx").run({"input": x})["output"]
    theirs = ort(exported / f"{name}.onnx", {"input": x}, tmp_path)["output"]
    torch_out = np.load(exported / f"{name}.torch.npy")
    err = rel_l2(ours, theirs)
    print(f"{name}: relative L2 vs ONNX Runtime {err:.3e}, vs PyTorch {rel_l2(ours, torch_out):.3e}")
    assert ours.shape == theirs.shape
    assert err <= 1e-4


@pytest.mark.parametrize("name", ["resnet18", "shufflenet_v2_x0_5"])
def test_batch_of_three_matches_onnxruntime(name, exported, ort, tmp_path):
    x = np.random.default_rng(7).standard_normal((3, 3, 64, 64), dtype=np.float32)
    ours = tinyq.load(exported / f"{name}.onnx").run({"input": x}, threads=2)["output"]
    theirs = ort(exported / f"{name}.onnx", {"input": x}, tmp_path)["output"]
    assert ours.shape == (3, 1000)
    assert rel_l2(ours, theirs) <= 1e-4
