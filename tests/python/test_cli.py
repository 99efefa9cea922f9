"""The tinyq CLI's inspect/run/eval verbs: results against independent numpy references, exit codes,
and no partial outputs."""
import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import tinyq
from models import small_cnn, small_cnn_reference, tiny_autoencoder, unsupported_ops_model


@pytest.fixture
def cnn(tmp_path):
    path = tmp_path / "cnn.onnx"
    return path, small_cnn(path)


def test_help_and_usage_errors(cli):
    r = cli("--help")
    assert r.returncode == 0 and "inspect" in r.stdout and "exit codes" in r.stdout
    for verb in ("inspect", "run", "eval"):
        r = cli(verb, "--help")
        assert r.returncode == 0 and f"usage: tinyq {verb}" in r.stdout
    assert cli().returncode == 2
    assert cli("frobnicate").returncode == 2
    r = cli("run", "model.onnx")  # --input and --out missing
    assert r.returncode == 2 and "required" in r.stderr


def test_inspect_counts_params_and_macs(cli, cnn):
    path, w = cnn
    r = cli("inspect", path, "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["inputs"] == [{"name": "input", "dtype": "f32", "shape": [1, 1, 8, 8]}]
    assert s["total_params"] == sum(v.size for v in w.values())
    # Conv: 4x8x8 outputs x 9 taps; Gemm: 3 outputs x 64 inputs.
    assert s["total_macs"] == 4 * 8 * 8 * 9 + 3 * 64
    assert [n["op"] for n in s["nodes"]] == ["Conv", "Relu", "MaxPool", "Flatten", "Gemm"]
    text = cli("inspect", path).stdout
    assert "Conv" in text and f"{4 * 8 * 8 * 9 + 3 * 64} MACs" in text


def test_inspect_input_shape_override(cli, cnn):
    path, _ = cnn
    s = json.loads(cli("inspect", path, "--json", "--input-shape", "input=5,1,8,8").stdout)
    assert s["outputs"][0]["shape"] == [5, 3]
    r = cli("inspect", path, "--input-shape", "nope=1,1,8,8")
    assert r.returncode == 5 and "nope" in r.stderr
    r = cli("inspect", path, "--input-shape", "input=1,x,8,8")
    assert r.returncode == 5


def test_run_matches_numpy_reference_and_python(cli, cnn, tmp_path):
    path, w = cnn
    x = np.random.default_rng(1).standard_normal((4, 1, 8, 8)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    r = cli("run", path, "--input", f"input={tmp_path / 'x.npy'}", "--out", tmp_path / "o",
            "--threads", "2")
    assert r.returncode == 0, r.stderr
    got = np.load(tmp_path / "o" / "logits.npy")
    np.testing.assert_allclose(got, small_cnn_reference(w, x), rtol=1e-5, atol=1e-5)
    # The CLI and the Python API are the same engine: bit-identical.
    py = tinyq.load(path).run({"input": x})["logits"]
    assert py.dtype == np.float32 and np.array_equal(py, got)


def test_run_rejects_wrong_shape_and_dtype_without_output(cli, cnn, tmp_path):
    path, _ = cnn
    np.save(tmp_path / "bad.npy", np.zeros((1, 1, 7, 8), np.float32))
    r = cli("run", path, "--input", f"input={tmp_path / 'bad.npy'}", "--out", tmp_path / "o")
    assert r.returncode == 5 and "input 'input'" in r.stderr and "[1,1,8,8]" in r.stderr
    np.save(tmp_path / "f64.npy", np.zeros((1, 1, 8, 8), np.float64))
    r = cli("run", path, "--input", f"input={tmp_path / 'f64.npy'}", "--out", tmp_path / "o")
    assert r.returncode == 5 and "dtype" in r.stderr
    assert not (tmp_path / "o").exists()


def test_run_unwritable_output(cli, cnn, tmp_path):
    path, _ = cnn
    np.save(tmp_path / "x.npy", np.zeros((1, 1, 8, 8), np.float32))
    r = cli("run", path, "--input", f"input={tmp_path / 'x.npy'}", "--out",
            "/proc/tinyq_cannot_write_here")
    assert r.returncode == 6 and "/proc/tinyq_cannot_write_here" in r.stderr


def test_eval_top1_and_loss_match_numpy(cli, cnn, tmp_path):
    path, w = cnn
    rng = np.random.default_rng(2)
    x = rng.integers(0, 256, (50, 1, 8, 8)).astype(np.uint8)
    logits = small_cnn_reference(w, (x.astype(np.float32) * (1 / 255.0) - 0.5) / 0.25)
    y = rng.integers(0, 3, 50).astype(np.int64)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    r = cli("eval", path, "--data", tmp_path / "d.npz", "--scale", str(1 / 255.0), "--mean", "0.5",
            "--std", "0.25", "--json", "--threads", "2")
    assert r.returncode == 0, r.stderr
    envelope = json.loads(r.stdout)
    assert envelope["verb"] == "eval" and envelope["metric"]["float"] == envelope["eval"]["value"]
    res = envelope["eval"]
    assert res["samples"] == 50 and res["executor"] == "float"
    assert res["value"] == pytest.approx(100.0 * np.mean(logits.argmax(1) == y))
    shifted = logits - logits.max(1, keepdims=True)
    ce = np.log(np.exp(shifted).sum(1)) - shifted[np.arange(50), y]
    assert res["loss"] == pytest.approx(ce.mean(), rel=1e-5)
    card = tmp_path / "card.json"
    card.write_text(json.dumps({"name": "cnn", "metric": "top1",
                                "preprocess": {"scale": 1 / 255.0, "mean": 0.5, "std": 0.25}}))
    r2 = cli("eval", path, "--data", tmp_path / "d.npz", "--card", card, "--json")
    assert json.loads(r2.stdout)["eval"]["value"] == res["value"]


def test_eval_auc_matches_sklearn(cli, tmp_path):
    path = tmp_path / "ae.onnx"
    tiny_autoencoder(path)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((200, 16)).astype(np.float32)
    y = (rng.random(200) < 0.3).astype(np.int64)
    x[y == 1] *= 3.0  # anomalies are larger, so they reconstruct worse
    np.savez(tmp_path / "d.npz", x=x, y=y)
    r = cli("eval", path, "--data", tmp_path / "d.npz", "--metric", "auc", "--json")
    assert r.returncode == 0, r.stderr
    scores = [((tinyq.load(path).run({"input": x[i:i + 1]})["reconstruction"] - x[i:i + 1]) ** 2)
              .mean() for i in range(200)]
    assert json.loads(r.stdout)["metric"]["float"] == pytest.approx(roc_auc_score(y, scores),
                                                                    abs=1e-9)


@pytest.mark.parametrize("case,fragment", [
    ("nolabels", "needs labels"),
    ("badshape", "needs samples of 64 elements"),
    ("badlabel", "label 7 of sample"),
    ("nan", "non-finite"),
])
def test_eval_bad_data(cli, cnn, tmp_path, case, fragment):
    path, _ = cnn
    x = np.zeros((10, 1, 8, 8), np.float32)
    y = np.zeros(10, np.int64)
    data = {"x": x, "y": y}
    if case == "nolabels":
        del data["y"]
    elif case == "badshape":
        data["x"] = np.zeros((10, 1, 7, 8), np.float32)
    elif case == "badlabel":
        data["y"] = np.full(10, 7, np.int64)
    else:
        data["x"][3, 0, 2, 2] = np.nan
    np.savez(tmp_path / "d.npz", **data)
    r = cli("eval", path, "--data", tmp_path / "d.npz")
    assert r.returncode == 5, r.stderr
    assert "d.npz" in r.stderr and fragment in r.stderr


def test_unsupported_ops_listed_in_one_error(cli, tmp_path):
    path = tmp_path / "u.onnx"
    unsupported_ops_model(path)
    r = cli("inspect", path)
    assert r.returncode == 4
    assert "my_einsum" in r.stderr and "Einsum" in r.stderr
    assert "my_hardmax" in r.stderr and "Hardmax" in r.stderr
    assert str(path) in r.stderr
