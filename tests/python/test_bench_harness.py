"""benchmarks/run, the peer-comparison harness (issue 8): one command measures tinyq, ONNX Runtime
and PyTorch on a zoo model in the same run and writes RESULTS.md with its JSON twin; every number
in the Markdown comes from the JSON; bad arguments are refused before anything is written."""
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "benchmarks" / "run"


def run(*args):
    return subprocess.run(["bash", str(RUN), *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=1200)


def test_latency_and_footprint_of_one_model(tmp_path):
    r = run("--quick", "--models", "digits_mlp", "--sections", "latency,footprint", "--runs", 20,
            "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / "RESULTS.json").read_text())
    md = (tmp_path / "RESULTS.md").read_text()
    assert res["format"] == "tinyq.benchmarks" and res["settings"]["latency_runs"] == 20
    assert res["versions"]["onnxruntime"] and res["machine"]
    lat = res["models"]["digits_mlp"]["latency"]
    # Every runtime was timed in this run, batch 1, one thread, no errors.
    for key in ("tinyq_float", "ort_float", "tinyq_int8", "ort_qdq", "pytorch_float",
                "pytorch_int8"):
        assert "error" not in lat[key], (key, lat[key])
        assert lat[key]["runs"] == 20 and lat[key]["threads"] == 1
        assert 0 < lat[key]["min_ms"] <= lat[key]["median_ms"], (key, lat[key])
    ratio = lat["tinyq_int8"]["median_ms"] / lat["ort_qdq"]["median_ms"]
    assert f"{ratio:.2f}" in md  # the headline ratio, computed from the JSON's medians
    fp = res["models"]["digits_mlp"]["footprint"]
    assert "export_error" not in fp and "budget_error" not in fp, fp
    # digits_mlp: 64 -> 128 -> 64 -> 10, one int8 per weight, each used once per inference.
    assert fp["int8_weight_bytes"] == 64 * 128 + 128 * 64 + 64 * 10 == fp["macs"]
    assert fp["int32_bias_bytes"] > 0 and fp["int32_bias_bytes"] % 4 == 0
    assert fp["flash_total_bytes"] == fp["flash_weights_bytes"] + fp["flash_code_bytes"]
    assert fp["flash_weights_bytes"] >= fp["int8_weight_bytes"]
    assert fp["arena_bytes"] == fp["lower_bound_bytes"] <= fp["greedy_bytes"]
    assert fp["instructions"] > fp["macs"]
    assert f"{fp['instructions']:,}" in md
    assert "## Targets" in md and not list(tmp_path.glob(".*partial"))


def test_bad_arguments_write_nothing(tmp_path):
    r = run("--models", "no_such_model", "--out-dir", tmp_path)
    assert r.returncode == 2 and "no_such_model" in r.stderr
    r = run("--sections", "speed", "--out-dir", tmp_path)
    assert r.returncode == 2 and "speed" in r.stderr
    assert not list(tmp_path.iterdir())


def test_accuracy_table_pairs_tinyq_with_pytorch(tmp_path):
    """The accuracy section: float, tinyq default and searched, PyTorch, and the paired split
    (samples only tinyq / only PyTorch gets right, McNemar p) consistent with the accuracies."""
    r = run("--quick", "--models", "digits_mlp", "--sections", "accuracy", "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / "RESULTS.json").read_text())
    a = res["models"]["digits_mlp"]["accuracy"]
    c = a["tinyq_vs_pytorch"]
    diff = (a["tinyq_int8"] - a["pytorch_int8"]) * a["test_samples"] / 100.0
    assert c["only_a_right"] - c["only_b_right"] == round(diff), a
    md = (tmp_path / "RESULTS.md").read_text()
    line = [ln for ln in md.splitlines() if ln.startswith("| digits_mlp (top1)")][0]
    assert f"{c['only_a_right']} / {c['only_b_right']} (p = {c['p']:.2g})" in line
    assert f"{a['pytorch_int8']:.2f}" in line and f"(`{a['tinyq_search_config']}`)" in line
    # the default settings on 5 calibration draws, draw 0 being the table's own measurement
    assert [e["draw"] for e in a["draws"]] == [0, 1, 2, 3, 4], a["draws"]
    assert (a["draws"][0]["tinyq_int8"], a["draws"][0]["pytorch_int8"]) == \
        (a["tinyq_int8"], a["pytorch_int8"])
    row = [ln for ln in md.splitlines() if ln.startswith("| digits_mlp |") and "±" in ln][0]
    assert row.count(" / ") >= 5 and f"{a['draws_summary']['tinyq_mean']:.2f} ±" in row
