"""The Python package: load/run/inspect/evaluate/save and the exception classes."""
import numpy as np
import pytest

import tinyq
from models import small_cnn, small_cnn_reference, unsupported_ops_model


def test_load_run_inspect(tmp_path):
    path = tmp_path / "cnn.onnx"
    w = small_cnn(path)
    m = tinyq.load(path)
    assert m.inputs == {"input": (1, 1, 8, 8)} and m.outputs == ["logits"]
    x = np.random.default_rng(0).standard_normal((6, 1, 8, 8)).astype(np.float32)
    out = m.run({"input": x}, threads=2)["logits"]
    np.testing.assert_allclose(out, small_cnn_reference(w, x), rtol=1e-5, atol=1e-5)
    assert out.flags["C_CONTIGUOUS"] and out.flags["OWNDATA"] is False  # engine buffer, no copy
    np.testing.assert_array_equal(m.run(x)["logits"], out)  # bare array for single-input models
    info = m.inspect()
    assert info["total_macs"] == 4 * 8 * 8 * 9 + 3 * 64


def test_input_shapes_override(tmp_path):
    path = tmp_path / "cnn.onnx"
    small_cnn(path)
    m = tinyq.load(path, input_shapes={"input": [2, 1, 8, 8]})
    assert m.inputs["input"] == (2, 1, 8, 8)
    assert m.run({"input": np.zeros((4, 1, 8, 8), np.float32)})["logits"].shape == (4, 3)


def test_evaluate_matches_numpy(tmp_path):
    path = tmp_path / "cnn.onnx"
    w = small_cnn(path)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((40, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    r = tinyq.load(path).evaluate(x, y)
    assert r["metric"] == "top1" and r["samples"] == 40
    assert r["value"] == pytest.approx(100 * np.mean(small_cnn_reference(w, x).argmax(1) == y))


def test_errors_are_typed(tmp_path):
    with pytest.raises((tinyq.NotFoundError, tinyq.IoError)) as e:
        tinyq.load(tmp_path / "missing.onnx")
    assert "missing.onnx" in str(e.value)
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x08\x07this is not a protobuf\xff\xff\xff")
    with pytest.raises(tinyq.InvalidModelError) as e:
        tinyq.load(garbage)
    assert "garbage.onnx" in str(e.value) and e.value.exit_code == 3
    bad = tmp_path / "u.onnx"
    unsupported_ops_model(bad)
    with pytest.raises(tinyq.UnsupportedError) as e:
        tinyq.load(bad)
    assert "my_einsum" in str(e.value) and "my_hardmax" in str(e.value)
    path = tmp_path / "cnn.onnx"
    small_cnn(path)
    m = tinyq.load(path)
    with pytest.raises(tinyq.InvalidArgumentError):
        m.run({"input": np.zeros((1, 1, 8, 8), np.float64)})
    with pytest.raises(tinyq.InvalidArgumentError):
        m.run({"wrong": np.zeros((1, 1, 8, 8), np.float32)})
    assert issubclass(tinyq.InvalidArgumentError, tinyq.Error)


def test_save_round_trip(tmp_path):
    path = tmp_path / "cnn.onnx"
    small_cnn(path)
    m = tinyq.load(path)
    m.save(tmp_path / "copy.onnx")
    x = np.random.default_rng(9).standard_normal((1, 1, 8, 8)).astype(np.float32)
    np.testing.assert_array_equal(tinyq.load(tmp_path / "copy.onnx").run(x)["logits"],
                                  m.run(x)["logits"])
    with pytest.raises(tinyq.IoError):
        m.save("/proc/nope/copy.onnx")
