"""benchmarks/ptq_vs_pytorch.py: its PyTorch models are the zoo models (weights taken from model.onnx
reproduce the card's float metric and the numpy reference executor), PyTorch's int8 model of
digits_mlp stays within a few points of float, and a failing tinyq still leaves the PyTorch columns
(with the error in the tinyq cell) and a nonzero exit status."""
import json
import subprocess

from conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "ptq_vs_pytorch.py"
CARD = json.loads((ROOT / "benchmarks" / "zoo" / "digits_mlp" / "card.json").read_text())


def run(tmp_path, *args):
    out = tmp_path / "r.json"
    r = subprocess.run(["/usr/bin/python3", str(SCRIPT), "--models", "digits_mlp", "--json", str(out),
                        "--out", str(tmp_path / "r.md"), *map(str, args)],
                       capture_output=True, text=True, timeout=600)
    return r, (json.loads(out.read_text())["rows"][0] if out.exists() else None)


def test_torch_model_is_faithful_and_int8_close_to_float(tmp_path):
    # --limit above the 359-sample digits test set: the full set, so the card's metric applies
    r, row = run(tmp_path, "--no-tinyq", "--limit", 100000)
    assert r.returncode == 0, r.stderr
    assert row["full_test_set"] and row["test_samples"] == 359
    assert row["torch_vs_onnx_np"] <= 1e-4
    assert abs(row["float"] - CARD["float_metric"]) <= 0.1, row
    assert row["calib_samples"] == 100            # the calibration subset tinyq uses for digits
    assert abs(row["pytorch_int8"] - row["float"]) <= 3.0, row
    assert row["pytorch_time_s"] > 0


def test_failing_tinyq_keeps_pytorch_columns(tmp_path):
    missing = tmp_path / "no_such_tinyq"
    r, row = run(tmp_path, "--limit", 50, "--tinyq", missing)
    assert r.returncode == 1
    assert row["test_samples"] == 50 and "pytorch_int8" in row
    assert "tinyq quantize" in row["tinyq_error"] and "No such file" in row["tinyq_error"]
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("| digits_mlp")][0]
    assert "No such file" in line and f"{row['pytorch_int8']:.2f}" in line
    assert (tmp_path / "r.md").read_text().strip().endswith(line)
