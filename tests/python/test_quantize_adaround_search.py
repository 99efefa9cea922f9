"""AdaRound (`tinyq quantize --adaround`, `tinyq.quantize(adaround=True)`) and the configuration
search (`--search --val`, `search=True`), through the CLI and Python:

- learned rounding keeps the int8 contract (same scales, each weight at most one step from
  nearest), its report rows are what the files show, and Python equals the CLI;
- the whole-model check keeps learned rounding only when the model does better on --val (or the
  calibration samples) than with round-to-nearest;
- the search tries every candidate, scores each on --val as it would score alone, and keeps the one
  the documented rule picks; bad arguments are refused before anything is written.
"""
import json
import math

import numpy as np
import onnx
from onnx import numpy_helper
import pytest

import tinyq
from conftest import same_report
from zoo_quant import (DATA, DSCNN, MODELS, card_of, eval_int8, paths, preprocess, quantize_cli,
                       run_outputs)

def int8_weights_by_node(path):
    """{node name: int8 weight array} of the Conv/Gemm nodes of a saved QDQ file."""
    m = onnx.load(str(path))
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    producers = {o: n for n in m.graph.node for o in n.output}
    out = {}
    for n in m.graph.node:
        if n.op_type in ("Conv", "Gemm") and n.input[1] in producers:
            dq = producers[n.input[1]]
            if dq.op_type == "DequantizeLinear" and dq.input[0] in inits:
                out[n.name] = (inits[dq.input[0]], inits[dq.input[1]])
    return out


@pytest.fixture(scope="module")
def adaround_dscnn(cli, tmp_path_factory):
    """fmnist_dscnn quantized with --adaround (300 steps per layer: the test's time sets it)."""
    d = tmp_path_factory.mktemp("adaround")
    rep = quantize_cli(cli, DSCNN, d / "ada.onnx", "--adaround", "--adaround-iters", "300",
                       "--no-adaround-check", report=d / "r.json")
    assert "adaround_guard" not in rep
    return d / "ada.onnx", rep


@pytest.mark.heavy
def test_adaround_cli_moves_weights_by_one_step_and_reports_them(adaround_dscnn, zoo):
    """Learned rounding keeps the int8 contract: the same per-channel scales as plain
    quantization, weights in [-127, 127], each at most one step from round-to-nearest; the report
    lists every Conv/Gemm with how many weights moved (counted here from the two files) and an
    error no higher than nearest's."""
    path, rep = adaround_dscnn
    plain = int8_weights_by_node(zoo(DSCNN)["onnx"])
    learned = int8_weights_by_node(path)
    assert plain.keys() == learned.keys() and plain
    rows = {r["node"]: r for r in rep["adaround"]}
    assert rows.keys() == plain.keys()
    moved = 0
    for node, (w, scale) in learned.items():
        w0, scale0 = plain[node]
        np.testing.assert_array_equal(scale, scale0)
        assert np.abs(w.astype(np.int32)).max() <= 127
        diff = np.abs(w.astype(np.int32) - w0.astype(np.int32))
        assert diff.max() <= 1, node
        r = rows[node]
        assert r["changed"] == int(diff.sum()) and r["weights"] == w.size, (node, r)
        assert r["rows"] > 0 and r["error_adaround"] <= r["error_nearest"], r
        moved += int(diff.sum())
    assert moved > 0
    assert sum(r["error_adaround"] < r["error_nearest"] for r in rep["adaround"]) >= len(rows) // 2


@pytest.mark.heavy
def test_adaround_keeps_accuracy_and_python_equals_cli(adaround_dscnn, dscnn_x, cli):
    path, rep = adaround_dscnn
    got = eval_int8(cli, path, DSCNN)
    print(f"adaround (300 steps): top-1 {got}")
    assert card_of(DSCNN)["float_metric"] - got <= 0.5, got
    model, card_path, calib, _ = paths(DSCNN)
    qm = tinyq.quantize(model, calib, card=card_path, adaround=True, adaround_iters=300,
                        adaround_check=False)
    assert qm.report["quantize"]["adaround"] == rep["adaround"]
    _, inp = dscnn_x
    np.testing.assert_array_equal(qm.run({"input": inp})["logits"],
                                  run_outputs(path, inp)["logits"])


@pytest.fixture(scope="module")
def dscnn_val_outcomes(adaround_dscnn, zoo):
    """fmnist_dscnn's validation split and, per sample, whether the model rounded to nearest (the
    zoo's default int8 file) and the one with learned rounding (no check) get it right."""
    card = card_of(DSCNN)
    with np.load(DATA / f"{card['dataset']}_val.npz") as z:
        x, y = z["x"], z["y"].astype(np.int64)
    inp = preprocess(card, x)
    near = run_outputs(zoo(DSCNN)["onnx"], inp)["logits"].argmax(1) == y
    learned = run_outputs(adaround_dscnn[0], inp)["logits"].argmax(1) == y
    return x, y, near, learned


@pytest.mark.heavy
@pytest.mark.parametrize("winner", ["nearest", "adaround", "neither"])
def test_adaround_check_keeps_learned_rounding_only_if_the_model_does_better(
        winner, dscnn_val_outcomes, adaround_dscnn, zoo, cli, tmp_path):
    """The whole-model check on --val: a validation set made of samples only round-to-nearest gets
    right (plus samples both get right) undoes AdaRound (the saved weights are nearest's); one made
    of samples only AdaRound gets right keeps it if its outputs are also closer to the float
    model's; one made only of samples both get right (a tie on every decision) undoes it even
    though its outputs are closer to float. CLI and Python decide the same."""
    x, y, near, learned = dscnn_val_outcomes
    wins = {"nearest": near & ~learned, "adaround": learned & ~near,
            "neither": np.zeros_like(near)}[winner]
    assert winner == "neither" or wins.sum() > 0, f"no validation sample only {winner} gets right"
    idx = np.concatenate([np.flatnonzero(wins), np.flatnonzero(near & learned)[:200]])
    val = tmp_path / "val.npz"
    np.savez(val, x=x[idx], y=y[idx])
    out = tmp_path / "q.onnx"
    rep = quantize_cli(cli, DSCNN, out, "--adaround", "--adaround-iters", "300", "--val", val,
                       report=tmp_path / "r.json")
    g = rep["adaround_guard"]
    assert g["data"] == str(val) and g["samples"] == len(idx) and g["metric"] == "top1", g
    want_near = 100.0 * float(np.mean(near[idx]))
    want_learned = 100.0 * float(np.mean(learned[idx]))
    assert g["metric_nearest"] == pytest.approx(want_near)
    assert g["metric_adaround"] == pytest.approx(want_learned)
    if winner == "nearest":
        assert not g["kept"]
    elif winner == "adaround":
        assert g["kept"] == (g["fidelity_adaround"] > g["fidelity_nearest"])
    else:
        assert g["agreement_nearest"] == g["agreement_adaround"], g
        assert g["fidelity_adaround"] > g["fidelity_nearest"], "the case needs AdaRound closer to float"
        assert not g["kept"]
    saved = int8_weights_by_node(out)
    expect = int8_weights_by_node(adaround_dscnn[0] if g["kept"] else zoo(DSCNN)["onnx"])
    for node, (w, _) in saved.items():
        np.testing.assert_array_equal(w, expect[node][0], err_msg=node)
    model, card_path, calib, _ = paths(DSCNN)
    qm = tinyq.quantize(model, calib, card=card_path, adaround=True, adaround_iters=300,
                        val=(x[idx], y[idx]))
    py = dict(qm.report["quantize"]["adaround_guard"])
    assert py.pop("data") == "<validation arrays>"
    assert py == {k: v for k, v in g.items() if k != "data"}


@pytest.mark.same_build
def test_adaround_check_without_val_uses_the_calibration_samples(cli, tmp_path):
    """Without --val the check runs on the calibration samples against the float model's class
    (labels unused: Python passes none), and the CLI and Python agree."""
    rep = quantize_cli(cli, "digits_mlp", tmp_path / "q.onnx", "--adaround", "--adaround-iters",
                       "100", report=tmp_path / "r.json")
    g = rep["adaround_guard"]
    assert g["metric"] == "agreement" and g["samples"] == 1000, g
    # The metric is the agreement with the float model's class: AdaRound must agree more often.
    assert (g["agreement_nearest"], g["agreement_adaround"]) == (g["metric_nearest"],
                                                                 g["metric_adaround"])
    assert g["kept"] == (g["metric_adaround"] > g["metric_nearest"] and
                         g["fidelity_adaround"] > g["fidelity_nearest"])
    model, card_path, calib, _ = paths("digits_mlp")
    qm = tinyq.quantize(model, calib, card=card_path, adaround=True, adaround_iters=100)
    py = dict(qm.report["quantize"]["adaround_guard"])
    assert py.pop("data") == "<calibration arrays>" and g.pop("data") == str(calib)
    assert same_report(py, g), (py, g)
    with pytest.raises(ValueError, match="adaround_check=False goes with adaround=True"):
        tinyq.quantize(model, calib, card=card_path, adaround_check=False)
    r = cli("quantize", model, "--calib", calib, "--card", card_path, "-o", tmp_path / "x.onnx",
            "--no-adaround-check")
    assert r.returncode == 5 and "--no-adaround-check goes with --adaround" in r.stderr
    assert not (tmp_path / "x.onnx").exists()


def output_sqnr(ref, got):
    ref, got = ref.astype(np.float64), got.astype(np.float64)
    return 10 * np.log10(np.sum(ref ** 2) / np.sum((ref - got) ** 2))


@pytest.mark.heavy
@pytest.mark.parametrize("name", MODELS)
def test_zoo_adaround_does_not_lose_to_nearest(name, zoo, test_sets, tmp_path):
    """The CI proxy of "AdaRound does not lose to plain rounding on any zoo model" (the full test
    set numbers, with the default 1,000 steps, are in benchmarks/README.md): with 300 steps per
    layer (CI time), on the first 1,000 test samples, the output of the AdaRound model is at least
    as close to the float model's output (SQNR) as plain rounding's."""
    model, card_path, calib, _ = paths(name)
    inp, _ = test_sets(name)
    inp = inp[:1000]
    ref = tinyq.load(model).run({"input": inp})
    ref = next(iter(ref.values()))
    plain = tinyq.load(zoo(name)["onnx"]).run({"input": inp}, dequantize=True)
    qm = tinyq.quantize(model, calib, card=card_path, adaround=True, adaround_iters=300)
    learned = qm.run({"input": inp}, dequantize=True)
    s_plain = output_sqnr(ref, next(iter(plain.values())))
    s_learned = output_sqnr(ref, next(iter(learned.values())))
    print(f"{name}: output SQNR nearest {s_plain:.2f} dB, AdaRound {s_learned:.2f} dB")
    assert s_learned >= s_plain, (s_plain, s_learned)


DIGITS = "digits_mlp"


def val_path(name):
    return DATA / f"{card_of(name)['dataset']}_val.npz"


@pytest.fixture(scope="module")
def searched_digits(cli, tmp_path_factory):
    d = tmp_path_factory.mktemp("search")
    rep = quantize_cli(cli, DIGITS, d / "s.onnx", "--search", "--val", val_path(DIGITS),
                       report=d / "r.json")
    return d / "s.onnx", rep


def better(a, b):
    """The search's rule (docs/quantization.md): top-1 decides when McNemar's test on the samples
    the two classify differently is significant at 95 %, else the output SQNR against float."""
    ab, ba = int(np.sum(a[0] & ~b[0])), int(np.sum(~a[0] & b[0]))
    if abs(ab - ba) > 1.96 * math.sqrt(ab + ba):
        return ab > ba
    return a[1] > b[1]


@pytest.mark.heavy
def test_search_keeps_the_best_candidate_on_val(searched_digits, cli, tmp_path):
    """--search tries every calibration method, then bias correction, then AdaRound (with and
    without bias correction). Each candidate quantized on its own with the same flags scores on
    the validation set what the report says (top-1, output SQNR against float), and the chosen
    one is what the documented rule picks, replayed here. The saved model is the chosen one."""
    path, rep = searched_digits
    rows = rep["search"]
    configs = [r["config"] for r in rows]
    assert len(configs) == 8 and len(set(configs)) == 8, configs
    assert configs[:5] == ["minmax", "percentile", "entropy", "mse", "auto"]
    assert [r["bias_correction"] for r in rows[5:]].count(True) >= 1
    assert [r["adaround"] for r in rows[6:]] == [True, True]
    model, card_path, _, _ = paths(DIGITS)
    with np.load(val_path(DIGITS)) as z:
        x, y = preprocess(card_of(DIGITS), z["x"]), z["y"]
    ref = tinyq.load(model).run({"input": x})["logits"]
    scores = []
    for i, r in enumerate(rows):
        # An AdaRound candidate is checked on the validation set, as the search checks it.
        flags = (["--method", r["method"]] + ["--bias-correction"] * r["bias_correction"] +
                 ["--adaround", "--val", val_path(DIGITS)] * r["adaround"])
        quantize_cli(cli, DIGITS, tmp_path / f"{i}.onnx", *flags)
        out = tinyq.load(tmp_path / f"{i}.onnx").run({"input": x}, dequantize=True)["logits"]
        correct = out.argmax(1) == y
        assert 100.0 * correct.mean() == pytest.approx(r["val_metric"], abs=1e-9), r
        assert output_sqnr(ref, out) == pytest.approx(r["val_fidelity"], rel=1e-6), r
        scores.append((correct, output_sqnr(ref, out)))
    # An AdaRound candidate whose check undid the learned rounding is its sibling without AdaRound.
    for r in rows:
        assert r["adaround_kept"] is None if not r["adaround"] else isinstance(r["adaround_kept"], bool)
        if r["adaround"] and not r["adaround_kept"]:
            twin = [t for t in rows if not t["adaround"] and t["method"] == r["method"] and
                    t["bias_correction"] == r["bias_correction"]]
            assert twin and (twin[0]["val_metric"], twin[0]["val_fidelity"]) == \
                (r["val_metric"], r["val_fidelity"]), (r, twin)
    best = 0
    for i in range(1, len(scores)):
        best = i if better(scores[i], scores[best]) else best
    assert [r["chosen"] for r in rows] == [i == best for i in range(len(rows))], rows
    chosen = [rows[best]]
    assert rep["validation"]["int8"] == chosen[0]["val_metric"]
    assert rep["validation"]["float"] == pytest.approx(100.0 * np.mean(ref.argmax(1) == y), abs=1e-9)
    assert rep["method"] == chosen[0]["method"]
    assert bool(rep["adaround"]) == chosen[0]["adaround"]
    _, card_path, _, _ = paths(DIGITS)
    assert eval_int8(cli, path, DIGITS, data=val_path(DIGITS)) == chosen[0]["val_metric"]
    assert any("search: chose " + chosen[0]["config"] in n for n in rep["notes"])


@pytest.mark.heavy
def test_python_search_equals_cli(searched_digits, test_sets):
    path, rep = searched_digits
    model, card_path, calib, _ = paths(DIGITS)
    qm = tinyq.quantize(model, calib, card=card_path, search=True, val=str(val_path(DIGITS)))
    assert [r["config"] for r in qm.report["quantize"]["search"] if r["chosen"]] == \
        [r["config"] for r in rep["search"] if r["chosen"]]
    inp, _ = test_sets(DIGITS)
    np.testing.assert_array_equal(qm.run({"input": inp})["logits"],
                                  run_outputs(path, inp)["logits"])


@pytest.mark.parametrize("args,message", [
    (["--search"], "--max-drop and --search need a validation set (--val)"),
    (["--val", "VAL"], "--val goes with --max-drop, --search or --adaround"),
    (["--search", "--max-drop", "0.5", "--val", "VAL"], "--search and --max-drop cannot be combined"),
    (["--adaround", "--adaround-iters", "0"], "--adaround-iters must be >= 1"),
    (["--search", "--val", "VAL", "--method", "mse"], "--search chooses the calibration method"),
    (["--search", "--val", "VAL", "--adaround"], "--search chooses bias correction and AdaRound"),
])
def test_search_and_adaround_bad_arguments(args, message, cli, tmp_path):
    model, card_path, calib, _ = paths(DIGITS)
    args = [str(val_path(DIGITS)) if a == "VAL" else a for a in args]
    r = cli("quantize", model, "--calib", calib, "--card", card_path, *args, "-o",
            tmp_path / "q.onnx")
    assert r.returncode == 5 and message in r.stderr, r.stderr
    assert not (tmp_path / "q.onnx").exists()


def test_python_search_and_adaround_bad_arguments():
    model, card_path, calib, _ = paths(DIGITS)
    with pytest.raises(ValueError):
        tinyq.quantize(model, calib, card=card_path, search=True)
    with pytest.raises(ValueError):
        tinyq.quantize(model, calib, card=card_path, search=True, val=str(val_path(DIGITS)),
                       method="mse")
    with pytest.raises(tinyq.InvalidArgumentError):
        tinyq.quantize(model, calib, card=card_path, search=True, val=str(val_path(DIGITS)),
                       bias_correction=True)
    with pytest.raises(tinyq.InvalidArgumentError):
        tinyq.quantize(model, calib, card=card_path, adaround=True, adaround_iters=0)
    with pytest.raises(tinyq.InvalidArgumentError, match="adaround-iters"):  # before any candidate
        tinyq.quantize(model, calib, card=card_path, search=True, val=str(val_path(DIGITS)),
                       adaround_iters=0)
    with pytest.raises(tinyq.InvalidArgumentError):
        tinyq.quantize(model, calib, card=card_path, search=True, val=str(val_path(DIGITS)),
                       max_drop=0.5)


@pytest.mark.same_build
def test_shrink_adaround_cli_and_python(cli, tmp_path):
    """`tinyq shrink --adaround` and tinyq.shrink(adaround=True) quantize with learned rounding:
    the same AdaRound rows in both reports, and the int8 metric within the gate."""
    model, card_path, calib, test = paths(DIGITS)
    r = cli("shrink", model, "--data", test, "--calib", calib, "--card", card_path, "--adaround",
            "--adaround-iters", "200", "-o", tmp_path / "cli")
    assert r.returncode == 0, r.stderr
    rep = json.loads((tmp_path / "cli" / "report.json").read_text())
    rows = rep["quantize"]["adaround"]
    assert [x["node"] for x in rows] == ["/0/MatMul", "/3/MatMul", "/6/Gemm"], rows
    assert sum(x["changed"] for x in rows) > 0
    py = tinyq.shrink(model, test, tmp_path / "py", calib=calib, card=card_path, adaround=True,
                      adaround_iters=200)
    assert py["quantize"]["adaround"] == rows
    assert py.metric["float"] - py.metric["int8"] <= 0.5
