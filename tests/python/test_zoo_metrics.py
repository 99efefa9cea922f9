"""Every zoo card's float_metric, recomputed on the full built test set: by tinyq's float executor
(CLI `tinyq eval --card` and Python `Model.evaluate`) within 0.1 pt top-1 / 0.002 AUC, and by ONNX
Runtime (npm) within the same tolerance."""
import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import tinyq
from conftest import ROOT

ZOO = ROOT / "benchmarks" / "zoo"
MODELS = sorted(p.parent.name for p in ZOO.glob("*/card.json"))


def card_of(name):
    return json.loads((ZOO / name / "card.json").read_text())


def test_zoo_is_complete():
    assert MODELS == sorted(["digits_mlp", "fmnist_dscnn", "fmnist_mobilenetv1", "fmnist_resnet8",
                             "fmnist_teacher", "kws_dscnn", "vibration_ae"])


def tolerance(card):
    return 0.1 if card["metric"] == "top1" else 0.002


@pytest.mark.heavy
@pytest.mark.parametrize("name", MODELS)
def test_tinyq_reproduces_card(name, cli):
    card = card_of(name)
    data = ROOT / "datasets" / "out" / f"{card['dataset']}_{card['split']}.npz"
    r = cli("eval", ZOO / name / "model.onnx", "--data", data, "--card", ZOO / name / "card.json",
            "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)["eval"]
    assert got["metric"] == card["metric"] and got["executor"] == "float"
    assert abs(got["value"] - card["float_metric"]) <= tolerance(card), got
    with np.load(data) as z:
        py = tinyq.load(ZOO / name / "model.onnx").evaluate(z["x"], z["y"], card=card)
    assert py["value"] == got["value"]


@pytest.mark.parametrize("name", MODELS)
def test_onnxruntime_reproduces_card(name, ort, tmp_path):
    card = card_of(name)
    data = ROOT / "datasets" / "out" / f"{card['dataset']}_{card['split']}.npz"
    pre = card["preprocess"]
    with np.load(data) as z:
        x, y = z["x"], z["y"]
    shape = [len(x)] + card["input"]["shape"][1:]
    inp = ((x.astype(np.float32) * np.float32(pre["scale"]) - np.float32(pre["mean"]))
           / np.float32(pre["std"])).reshape(shape).astype(np.float32)
    out = next(iter(ort(ZOO / name / "model.onnx", {"input": inp}, tmp_path, threads=2).values()))
    if card["metric"] == "top1":
        value = 100.0 * float(np.mean(out.argmax(1) == y))
    else:
        value = roc_auc_score(y, ((out.reshape(len(x), -1) - inp.reshape(len(x), -1)) ** 2).mean(1))
    assert abs(value - card["float_metric"]) <= tolerance(card), value
