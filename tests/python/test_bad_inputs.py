"""The bad-input catalogue (tests/testdata/bad_catalogue.json): every broken model and data file
gets its documented exit code and a message naming the file, through the CLI and through Python,
and never leaves an output behind."""
import json

import numpy as np
import pytest

import tinyq
from conftest import TESTDATA
from models import small_cnn

CATALOGUE = json.loads((TESTDATA / "bad_catalogue.json").read_text())
EXIT_TO_ERROR = {3: tinyq.InvalidModelError, 4: tinyq.UnsupportedError,
                 5: tinyq.InvalidArgumentError, 6: (tinyq.IoError, tinyq.NotFoundError)}


@pytest.fixture(scope="module")
def cnn(tmp_path_factory):
    d = tmp_path_factory.mktemp("cnn")
    small_cnn(d / "cnn.onnx")
    x = np.zeros((4, 1, 8, 8), np.float32)
    np.save(d / "x.npy", x)
    np.savez(d / "good.npz", x=x, y=np.zeros(4, np.int64))
    return d


def test_catalogue_is_complete():
    for case in CATALOGUE["models"] + CATALOGUE["data"]:
        if "does_not_exist" not in case["file"]:
            assert (TESTDATA / case["file"]).exists(), case["file"]
    assert len(CATALOGUE["models"]) + len(CATALOGUE["data"]) >= 30


@pytest.mark.parametrize("case", CATALOGUE["models"], ids=lambda c: c["file"])
def test_bad_model(case, cli, cnn, tmp_path):
    path = TESTDATA / case["file"]
    out = tmp_path / "out"
    runs = [cli("inspect", path),
            cli("run", path, "--input", f"input={cnn / 'x.npy'}", "--out", out),
            cli("eval", path, "--data", cnn / "good.npz")]
    for r in runs:
        assert r.returncode == case["exit"], r.stderr
        assert r.stderr.startswith(f"tinyq: error: "), r.stderr
        assert f"{path}: " in r.stderr and case["message"] in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and "terminate" not in r.stderr
    assert not out.exists()
    with pytest.raises(EXIT_TO_ERROR[case["exit"]]) as e:
        tinyq.load(path)
    assert case["message"] in str(e.value)


@pytest.mark.parametrize("case", CATALOGUE["data"], ids=lambda c: c["file"])
def test_bad_data(case, cli, cnn, tmp_path):
    path = TESTDATA / case["file"]
    r = cli("eval", cnn / "cnn.onnx", "--data", path)
    assert r.returncode == case["exit"], r.stderr
    assert f"{path}" in r.stderr and case["message"] in r.stderr, r.stderr
    if path.suffix == ".npy":
        out = tmp_path / "out"
        r = cli("run", cnn / "cnn.onnx", "--input", f"input={path}", "--out", out)
        assert r.returncode == case["exit"] and str(path) in r.stderr, r.stderr
        assert not out.exists()
    model = tinyq.load(cnn / "cnn.onnx")
    with pytest.raises(EXIT_TO_ERROR[case["exit"]]) as e:
        d = tinyq.read_dataset(path)
        model.evaluate(d["x"], d.get("y"))
    assert case["message"] in str(e.value)
