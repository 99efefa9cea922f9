"""benchmarks/ptq_vs_pytorch.py: its PyTorch models are the zoo models (weights taken from model.onnx
reproduce the card's float metric and the numpy reference executor), PyTorch's int8 model of
digits_mlp stays within a few points of float, the tinyq variants (default, AdaRound, searched) are
measured and tabulated, and a failing tinyq still leaves the PyTorch columns (with the error in the
tinyq cells) and a nonzero exit status; --calib-draws repeats the default comparison on further
stratified calibration draws of the training split."""
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


def _module():
    import importlib.util
    spec = importlib.util.spec_from_file_location("ptq_vs_pytorch", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


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
    # The paired counts come from the outputs of `tinyq run`; the accuracies from `tinyq eval`
    # and PyTorch: the difference in right answers must be the same.
    for key in ("tinyq", "tinyq_adaround", "tinyq_search"):
        c = row[key + "_vs_pytorch"]
        diff = (row[key + "_int8"] - row["pytorch_int8"]) * row["test_samples"] / 100.0
        assert c["only_a_right"] - c["only_b_right"] == round(diff), (key, c, row)
        assert 0.0 < c["p"] <= 1.0
    pair_line = [ln for ln in r.stdout.splitlines() if ln.startswith("| digits_mlp |")][-1]
    c = row["tinyq_vs_pytorch"]
    assert f"{c['only_a_right']} / {c['only_b_right']}, p = {c['p']:.2g}" in pair_line


def test_paired_mcnemar_p_values():
    """Exact two-sided McNemar: with a and b discordant samples, p = 2 * P(X <= min(a, b)),
    X ~ Binomial(a + b, 1/2), capped at 1 (values computed by hand)."""
    import numpy as np
    mod = _module()

    def outcome(a, b, both=3):
        """Logits for 2-class samples: a samples only A gets right, b only B, `both` both."""
        y = np.zeros(a + b + both, dtype=np.int64)
        right, wrong = [1.0, 0.0], [0.0, 1.0]
        got_a = np.array([right] * a + [wrong] * b + [right] * both)
        got_b = np.array([wrong] * a + [right] * b + [right] * both)
        return mod.paired({"metric": "top1"}, y, got_a, got_b)

    assert outcome(0, 0) == {"only_a_right": 0, "only_b_right": 0, "p": 1.0}
    assert outcome(5, 0)["p"] == 2 / 32                 # 2 * (1/2)^5
    assert outcome(0, 10)["p"] == 2 / 1024
    assert outcome(1, 3) == {"only_a_right": 1, "only_b_right": 3, "p": 2 * 5 / 16}  # (1 + 4) / 16
    assert outcome(4, 4)["p"] == 1.0                    # 2 * P(X <= 4 | n = 8) > 1, capped
    assert mod.paired({"metric": "auc"}, None, None, None) is None


def test_calibration_draws_are_stratified_deterministic_and_distinct(tmp_path):
    """Draw d >= 1: 1,000 training samples with every class in its training proportion (largest
    remainder), the same samples for the same seed, different samples for another draw."""
    import numpy as np
    mod = _module()
    x_train, y_train = mod.load_npz(mod.npz("digits_train.npz"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = mod.calib_draw(CARD, 1, tmp_path / "a"), mod.calib_draw(CARD, 2, tmp_path / "a")
    again = mod.calib_draw(CARD, 1, tmp_path / "b")   # written afresh
    xa, ya = mod.load_npz(a)
    assert len(ya) == 1000 and mod.calib_draw(CARD, 0, tmp_path) == mod.calib_path(CARD)
    classes, counts = np.unique(y_train, return_counts=True)
    got = dict(zip(*np.unique(ya, return_counts=True)))
    for c, n in zip(classes, counts):   # within one sample of 1000 * n_c / N
        assert abs(got[c] - 1000 * n / len(y_train)) < 1.0, (c, got[c])
    rows = {r.tobytes() for r in x_train.reshape(len(x_train), -1)}
    assert all(r.tobytes() in rows for r in xa.reshape(1000, -1))   # training samples
    assert np.array_equal(xa, mod.load_npz(again)[0])
    assert not np.array_equal(xa, mod.load_npz(b)[0])


def test_summary_of_draws():
    """Mean, sample standard deviation and the ahead / level / behind count over the draws tinyq
    completed (values worked by hand)."""
    mod = _module()
    draws = [{"tinyq_int8": 90.0, "pytorch_int8": 89.0}, {"tinyq_int8": 92.0, "pytorch_int8": 92.0},
             {"tinyq_int8": 91.0, "pytorch_int8": 92.0}, {"tinyq_error": "x", "pytorch_int8": 50.0}]
    m = mod.summarize_draws(draws)
    assert m["draws"] == 3 and m["tinyq_mean"] == 91.0 and m["pytorch_mean"] == 91.0
    assert abs(m["tinyq_sd"] - 1.0) < 1e-12 and abs(m["pytorch_sd"] - 3 ** 0.5) < 1e-12
    assert m["mean_difference"] == 0.0
    assert (m["tinyq_ahead"], m["level"], m["pytorch_ahead"]) == (1, 1, 1)
    assert mod.summarize_draws([{"tinyq_error": "x", "pytorch_int8": 1.0}]) is None


def test_calib_draws_compare_the_default_settings(tmp_path):
    r, row = run(tmp_path, "--variants", "default", "--calib-draws", 3, "--limit", 100000)
    assert r.returncode == 0, r.stderr
    assert [e["draw"] for e in row["draws"]] == [0, 1, 2]
    assert row["draws"][0]["tinyq_int8"] == row["tinyq_int8"]
    for e in row["draws"]:
        assert abs(e["tinyq_int8"] - row["float"]) <= 3.0 and abs(e["pytorch_int8"] - row["float"]) <= 3.0
        c = e["tinyq_vs_pytorch"]   # the paired split agrees with the two accuracies of the draw
        diff = (e["tinyq_int8"] - e["pytorch_int8"]) * row["test_samples"] / 100.0
        assert c["only_a_right"] - c["only_b_right"] == round(diff), e
    assert row["draws_summary"]["draws"] == 3
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("| digits_mlp |") and "±" in ln][0]
    assert f"{row['draws'][2]['tinyq_int8']:.2f} / {row['draws'][2]['pytorch_int8']:.2f}" in line


def test_calib_draws_needs_the_default_variant(tmp_path):
    for args in (("--calib-draws", 0), ("--calib-draws", 2, "--variants", "search")):
        r, row = run(tmp_path, *args)
        assert r.returncode == 2 and "--calib-draws" in r.stderr and row is None, args


def test_split_val_measures_on_the_validation_split(tmp_path):
    """--split val: every metric on <dataset>_val.npz (training samples), for choosing settings
    without the test set; a normal-only validation split has no AUC and is refused up front."""
    import numpy as np
    r, row = run(tmp_path, "--split", "val", "--variants", "default")
    assert r.returncode == 0, r.stderr
    with np.load(ROOT / "datasets" / "out" / "digits_val.npz") as z:
        n = len(z["y"])
    assert row["split"] == "val" and row["test_samples"] == n and "float_matches_card" not in row
    assert "full val sets" in r.stdout
    r = subprocess.run(["/usr/bin/python3", str(SCRIPT), "--models", "vibration_ae", "--split", "val"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 2 and "vibration_val.npz has one class only" in r.stderr, r.stderr
