"""Shared by the quantization tests (test_quantize.py, test_quantize_adaround_search.py): the zoo's
paths and cards, preprocessing as the cards define it, the CLI and Python runs both files make,
and what the fixtures `zoo`, `test_sets` and `dscnn_x` (conftest.py) are built from."""
import json

import numpy as np
import onnx
from sklearn.metrics import roc_auc_score

import tinyq
from conftest import ROOT

ZOO = ROOT / "benchmarks" / "zoo"
DATA = ROOT / "datasets" / "out"
MODELS = sorted(p.parent.name for p in ZOO.glob("*/card.json"))
CALIB = {d: f"{d}_calib_1k.npz" for d in ("fmnist", "digits", "kws", "vibration")}
DSCNN = "fmnist_dscnn"


def card_of(name):
    return json.loads((ZOO / name / "card.json").read_text())


def paths(name):
    card = card_of(name)
    return (ZOO / name / "model.onnx", ZOO / name / "card.json", DATA / CALIB[card["dataset"]],
            DATA / f"{card['dataset']}_{card['split']}.npz")


def drop_limit(card):
    """The acceptance limit in metric units: 0.5 pt top-1, 0.01 AUC."""
    return 0.5 if card["metric"] == "top1" else 0.01


def preprocess(card, x):
    pre = card["preprocess"]
    shape = [len(x)] + card["input"]["shape"][1:]
    return ((x.astype(np.float32) * np.float32(pre["scale"]) - np.float32(pre["mean"]))
            / np.float32(pre["std"])).reshape(shape).astype(np.float32)


def quantize_np(x, scale, zp):
    return np.clip(np.rint(x / np.float32(scale)) + zp, -128, 127).astype(np.int8)


def metric(card, out, inp, y):
    out = out.reshape(len(y), -1)
    if card["metric"] == "top1":
        return 100.0 * float(np.mean(out.argmax(1) == y))
    return float(roc_auc_score(y, ((out - inp.reshape(len(y), -1)) ** 2).mean(1)))


def eval_int8(cli, model, name, data=None):
    _, card_path, _, test = paths(name)
    r = cli("eval", model, "--int8", "--card", card_path, "--data", data or test, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["metric"]["int8"]


def quantize_cli(cli, name, out, *extra, report=None):
    """Runs `tinyq quantize`; returns the "quantize" section of the report written to `report`."""
    model, card_path, calib, _ = paths(name)
    args = ["quantize", model, "--calib", calib, "--card", card_path, "-o", out, *extra]
    if report:
        args += ["--report", report]
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    assert out.exists()
    return json.loads(report.read_text())["quantize"] if report else None


def with_symbolic_batch(src, dst):
    """A copy of an exported model whose graph input/output batch is symbolic ("N"): tinyq exports
    static shapes (batch 1); the zoo graphs have no batch-dependent constants, so ONNX Runtime can
    then run the whole test set in one call."""
    m = onnx.load(str(src))
    for v in list(m.graph.input) + list(m.graph.output):
        v.type.tensor_type.shape.dim[0].dim_param = "N"
    del m.graph.value_info[:]
    onnx.save(m, str(dst))
    return dst


def run_outputs(model, x):
    """tinyq's int8 outputs (as stored) of a model file on float input x."""
    m = tinyq.load(model)
    return m.run({next(iter(m.inputs)): x})

