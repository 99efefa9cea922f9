"""benchmarks/ptq_vs_pytorch.py: its PyTorch models are the zoo models (weights taken from model.onnx
reproduce the card's float metric and the numpy reference executor), PyTorch's int8 model of
digits_mlp stays within a few points of float, the tinyq variants (default, AdaRound, searched) are
measured and tabulated, and a failing tinyq still leaves the PyTorch columns (with the error in the
tinyq cells) and a nonzero exit status."""
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
    assert row["calib_samples"] == 1000           # digits_calib_1k.npz, as tinyq's zoo checks
    assert abs(row["pytorch_int8"] - row["float"]) <= 3.0, row
    assert row["pytorch_time_s"] > 0


def test_failing_tinyq_keeps_pytorch_columns(tmp_path):
    missing = tmp_path / "no_such_tinyq"
    r, row = run(tmp_path, "--limit", 50, "--tinyq", missing)
    assert r.returncode == 1
    assert row["test_samples"] == 50 and "pytorch_int8" in row
    for key in ("tinyq_error", "tinyq_adaround_error", "tinyq_search_error"):
        assert "tinyq quantize" in row[key] and "No such file" in row[key], key
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("| digits_mlp (top1)")][0]
    assert line.count("No such file") == 3 and f"{row['pytorch_int8']:.2f}" in line
    assert line in (tmp_path / "r.md").read_text()


def test_tinyq_variants_default_adaround_search(tmp_path):
    """The issue's table: float, tinyq default, tinyq searched on the validation split (with the
    chosen configuration), tinyq with AdaRound, PyTorch, and the time of each."""
    r, row = run(tmp_path, "--limit", 100000)
    assert r.returncode == 0, r.stderr
    for key in ("tinyq", "tinyq_adaround", "tinyq_search"):
        assert abs(row[key + "_int8"] - row["float"]) <= 3.0, (key, row)
        assert row[key + "_time_s"] > 0 and row[key + "_sqnr_db"] > 20, (key, row)
    chosen = [c for c in row["tinyq_search_candidates"] if c["chosen"]]
    assert len(chosen) == 1 and chosen[0]["config"] == row["tinyq_search_config"]
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("| digits_mlp (top1)")][0]
    assert f"({row['tinyq_search_config']})" in line and f"{row['tinyq_adaround_int8']:.2f}" in line
