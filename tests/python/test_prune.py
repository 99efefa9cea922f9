"""Pruning as users rely on it, through the CLI (`tinyq prune`) and Python (`tinyq.prune`):

- channel pruning of a zoo model really shrinks the saved ONNX (smaller initializers, fewer MACs),
  the graph output keeps its shape, and the pruned model still loads, runs and quantizes;
- least-squares recovery keeps more accuracy than no recovery; the CLI and Python agree;
- recovery by distillation from the unpruned model (`--recover distill`, `recover="distill"`)
  wins accuracy back, gives the same bytes through the CLI and Python, keeps magnitude-pruned
  weights at zero, and accepts feature losses on pruned tensors;
- magnitude and 2:4 pruning set weights to zero and report sparse int8 bytes below dense;
- the sensitivity scan prints a table; bad requests get their documented exit codes / exceptions.

Data: datasets/out (built by datasets/build_all.sh); the tests use small slices of the FMNIST
calibration and test sets to stay fast.
"""
import json

import numpy as np
import onnx
import onnx.numpy_helper
import pytest

import tinyq
from conftest import ROOT, assert_same_numbers, same_report

ZOO = ROOT / "benchmarks" / "zoo"
DATA = ROOT / "datasets" / "out"
DSCNN = ZOO / "fmnist_dscnn"
RESNET = ZOO / "fmnist_resnet8"


@pytest.fixture(scope="module")
def small_sets(tmp_path_factory):
    """(calibration .npz of 128 samples, validation .npz of 300 labelled samples)."""
    d = tmp_path_factory.mktemp("prune_data")
    calib = np.load(DATA / "fmnist_calib_1k.npz")
    test = np.load(DATA / "fmnist_test.npz")
    np.savez(d / "calib.npz", x=calib["x"][:128])
    np.savez(d / "val.npz", x=test["x"][:300], y=test["y"][:300])
    return d / "calib.npz", d / "val.npz"


def initializer_elements(path):
    return sum(int(np.prod(t.dims)) for t in onnx.load(str(path)).graph.initializer)


def test_cli_channel_pruning_shrinks_the_saved_model(cli, tmp_path, small_sets):
    calib, val = small_sets
    out, report = tmp_path / "p.onnx", tmp_path / "r.json"
    r = cli("prune", RESNET / "model.onnx", "--data", calib, "--card", RESNET / "card.json",
            "--channels", "0.5", "--recover", "lsq", "--val", val, "-o", out, "--report", report)
    assert r.returncode == 0, r.stderr
    envelope = json.loads(report.read_text())
    assert envelope["format"] == "tinyq.report" and envelope["verb"] == "prune"
    rep = envelope["prune"]
    # the envelope's metric: the float model before pruning and the pruned one, on 300 samples
    assert envelope["metric"]["float"] == rep["validation"]["before"]
    assert envelope["metric"]["pruned"] == rep["validation"]["after"]
    assert envelope["metric"]["samples"] == 300
    assert rep["macs"]["after"] < 0.6 * rep["macs"]["before"]
    assert rep["onnx_bytes"]["after"] < rep["onnx_bytes"]["before"]
    assert initializer_elements(out) < 0.6 * initializer_elements(RESNET / "model.onnx")
    # Residual groups: every producer of a group keeps the same number of channels.
    tied = [g for g in rep["groups"] if len(g["producers"]) > 1]
    assert tied and all(g["channels_after"] < g["channels_before"] for g in tied)
    assert any("frozen" in g for g in rep["groups"])  # the classifier
    assert all(l["error_after"] <= l["error_before"] for l in rep["reconstructed"])
    assert "validation top1" in r.stdout
    pruned = tinyq.load(out)
    x = np.zeros((1, 1, 28, 28), np.float32)
    assert pruned.run({"input": x})["logits"].shape == (1, 10)
    # Later stages see the smaller shapes: the pruned model quantizes and runs in int8.
    q = tinyq.quantize(pruned, calib, card=RESNET / "card.json", calib_limit=64)
    assert q.is_int8
    assert q.run({"input": x}, dequantize=True)["logits"].shape == (1, 10)


@pytest.mark.same_build
def test_python_matches_cli_and_lsq_beats_no_recovery(cli, tmp_path, small_sets):
    calib, val = small_sets
    common = dict(card=DSCNN / "card.json", channels=0.4, val=str(val))
    plain = tinyq.prune(DSCNN / "model.onnx", str(calib), recover="none", **common)
    lsq = tinyq.prune(DSCNN / "model.onnx", str(calib), recover="lsq", **common)
    assert isinstance(lsq, tinyq.PrunedModel)
    assert isinstance(lsq.report, tinyq.Report) and lsq.report.verb == "prune"
    assert lsq.report["prune"]["macs"] == plain.report["prune"]["macs"]
    assert lsq.report["metric"]["pruned"] > plain.report["metric"]["pruned"]
    report = tmp_path / "r.json"
    r = cli("prune", DSCNN / "model.onnx", "--data", calib, "--card", DSCNN / "card.json",
            "--channels", "0.4", "--recover", "lsq", "--val", val, "-o", tmp_path / "p.onnx",
            "--report", report)
    assert r.returncode == 0, r.stderr
    assert same_report(json.loads(report.read_text())["prune"]["validation"],
                       lsq.report["prune"]["validation"])
    lsq.save(tmp_path / "py.onnx")
    assert (tmp_path / "py.onnx").stat().st_size < (DSCNN / "model.onnx").stat().st_size


@pytest.fixture(scope="module")
def train_set(tmp_path_factory):
    """600 labelled training samples (from the calibration set)."""
    d = tmp_path_factory.mktemp("prune_train")
    with np.load(DATA / "fmnist_calib_1k.npz") as z:
        np.savez(d / "train.npz", x=z["x"][:600], y=z["y"][:600])
    return d / "train.npz"


@pytest.mark.same_build
def test_recover_distill_cli_and_python(cli, tmp_path, small_sets, train_set):
    calib, val = small_sets
    common = ["--data", calib, "--card", DSCNN / "card.json", "--channels", "0.5", "--val", val]
    train = ["--train", train_set, "--epochs", 2, "--batch", 32, "--lr", 0.002,
             "--batch-norm", "train", "--bn-recalibrate", 300]
    r = cli("prune", DSCNN / "model.onnx", *common, "--recover", "none", "-o", tmp_path / "n.onnx",
            "--report", tmp_path / "n.json")
    assert r.returncode == 0, r.stderr
    r = cli("prune", DSCNN / "model.onnx", *common, "--recover", "distill", *train,
            "-o", tmp_path / "d.onnx", "--report", tmp_path / "d.json")
    assert r.returncode == 0, r.stderr
    assert "distillation from the unpruned model: 2 epochs" in r.stdout
    assert "teacher soft labels, mean entropy" in r.stdout  # the unpruned model's, measured
    assert "distill" in r.stderr  # its progress bar
    none, dist = (json.loads((tmp_path / f).read_text())["prune"] for f in ("n.json", "d.json"))
    assert dist["recover"] == "distill" and len(dist["distill"]["epochs"]) == 2
    assert dist["macs"] == none["macs"]
    assert dist["validation"]["after"] > none["validation"]["after"] + 20, (dist, none)
    # The same recovery from Python gives the same bytes.
    m = tinyq.prune(DSCNN / "model.onnx", str(calib), card=DSCNN / "card.json", channels=0.5,
                    recover="distill", train=str(train_set),
                    train_options=dict(epochs=2, batch=32, lr=0.002, batch_norm="train",
                                       bn_recalibrate=300))
    assert m.report["prune"]["distill"]["epochs"][1]["epoch"] == 2
    assert m.report["prune"]["distill"]["teacher_soft_labels"] == dist["distill"][
        "teacher_soft_labels"]
    m.save(str(tmp_path / "py.onnx"))
    cli_w, py_w = initializers(tmp_path / "d.onnx"), initializers(tmp_path / "py.onnx")
    assert cli_w.keys() == py_w.keys()
    for k in cli_w:
        assert_same_numbers(cli_w[k], py_w[k], err_msg=k)


def test_recover_distill_keeps_magnitude_zeros_and_takes_feature_losses(cli, tmp_path,
                                                                         small_sets, train_set):
    calib, _ = small_sets
    base = ["--data", calib, "--card", DSCNN / "card.json", "--train", train_set, "--epochs", 1,
            "--batch", 50, "--recover", "lsq+distill"]
    r = cli("prune", DSCNN / "model.onnx", *base, "--magnitude", 0.5, "-o", tmp_path / "m.onnx",
            "--report", tmp_path / "m.json")
    assert r.returncode == 0, r.stderr
    rep = json.loads((tmp_path / "m.json").read_text())["prune"]
    assert rep["weight_sparsity"] >= 0.49 and rep["distill"]["epochs"]
    soft = rep["distill"]["teacher_soft_labels"]  # the unpruned teacher on the 600 samples
    assert soft["samples"] == 600 and len(soft["by_temperature"]) == 4
    # A feature loss on a pruned tensor compares it with the teacher's kept channels.
    r = cli("prune", DSCNN / "model.onnx", *base, "--channels", 0.5, "--feature-loss",
            "/2/Relu_output_0:/2/Relu_output_0:0.1", "-o", tmp_path / "f.onnx",
            "--report", tmp_path / "f.json")
    assert r.returncode == 0, r.stderr
    rep = json.loads((tmp_path / "f.json").read_text())["prune"]
    assert rep["distill"]["teacher_online"] is True
    assert rep["reconstructed"]  # lsq ran before the distillation
    r = cli("prune", DSCNN / "model.onnx", *base, "--channels", 0.5, "--feature-loss",
            "/2/Relu_output_0:/6/Relu_output_0", "-o", tmp_path / "g.onnx")
    assert r.returncode == 0, r.stderr  # same shapes after pruning: allowed
    r = cli("prune", DSCNN / "model.onnx", *base, "--channels", 0.5, "--feature-loss",
            "/2/Relu_output_0:/30/Flatten_output_0", "-o", tmp_path / "h.onnx")
    assert r.returncode == 5 and "/30/Flatten_output_0" in r.stderr, r.stderr
    assert not (tmp_path / "h.onnx").exists()


def initializers(path):
    return {t.name: onnx.numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}


def test_magnitude_and_two_of_four(cli, tmp_path, small_sets):
    calib, _ = small_sets
    m = tinyq.prune(DSCNN / "model.onnx", str(calib), card=DSCNN / "card.json", magnitude=0.7)
    assert m.report["prune"]["weight_sparsity"] >= 0.69
    wb = m.report["prune"]["int8_weight_bytes"]
    assert wb["sparse"] < 0.6 * wb["dense"]
    nm = tinyq.prune(DSCNN / "model.onnx", str(calib), card=DSCNN / "card.json", nm="2:4")
    assert 0.45 <= nm.report["prune"]["weight_sparsity"] <= 0.55
    report = tmp_path / "nm.json"
    r = cli("prune", DSCNN / "model.onnx", "--data", calib, "--card", DSCNN / "card.json",
            "--nm", "2:4", "-o", tmp_path / "nm.onnx", "--report", report)
    assert r.returncode == 0, r.stderr
    assert json.loads(report.read_text())["prune"]["weight_sparsity"] == \
        nm.report["prune"]["weight_sparsity"]
    assert "weight sparsity" in r.stdout


def test_cli_scan_prints_a_table(cli, tmp_path, small_sets):
    calib, val = small_sets
    r = cli("prune", DSCNN / "model.onnx", "--data", calib, "--card", DSCNN / "card.json",
            "--scan", "--val", val, "--scan-limit", "100", "-o", tmp_path / "p.onnx")
    assert r.returncode == 0, r.stderr
    assert "sensitivity scan" in r.stdout
    assert "0.25" in r.stdout and "0.75" in r.stdout


def test_bad_requests(cli, tmp_path, small_sets):
    calib, _ = small_sets
    out = tmp_path / "p.onnx"
    r = cli("prune", DSCNN / "model.onnx", "--data", calib, "--channels", "0.5", "--recover",
            "distill", "-o", out)
    assert r.returncode == 5 and "--train" in r.stderr
    r = cli("prune", DSCNN / "model.onnx", "--data", calib, "--channels", "1.5", "-o", out)
    assert r.returncode == 5
    r = cli("prune", DSCNN / "model.onnx", "--data", calib, "--per-layer", "/31/Gemm=0.5",
            "-o", out)
    assert r.returncode == 5 and "cannot be pruned" in r.stderr
    r = cli("prune", DSCNN / "model.onnx", "--data", calib, "--scan", "-o", out)
    assert r.returncode == 5
    r = cli("prune", DSCNN / "model.onnx", "-o", out)
    assert r.returncode == 2
    assert not out.exists()
    with pytest.raises(tinyq.FailedPreconditionError, match="--train"):
        tinyq.prune(DSCNN / "model.onnx", str(calib), channels=0.5, recover="distill")
    with pytest.raises(tinyq.InvalidArgumentError):
        tinyq.prune(DSCNN / "model.onnx", str(calib), criterion="l7", channels=0.5)
    r = cli("prune", "--help")
    assert r.returncode == 0 and "--recover" in r.stdout
