"""`tinyq shrink` and `tinyq.shrink`: the pipeline's outputs agree with the separate verbs, gates
trip (including `tinyq check` on a deliberately degraded model), and failures leave nothing."""
import hashlib
import json

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import tinyq
from report_schema import validate

ZOO = "benchmarks/zoo/digits_mlp"
DATA = "datasets/out/digits_test.npz"
CALIB = "datasets/out/digits_calib.npz"


def shrink_cli(cli, root, out, *extra, model=None):
    return cli("shrink", model or root / ZOO / "model.onnx", "--data", root / DATA,
               "--calib", root / CALIB, "--card", root / ZOO / "card.json", "-o", out, *extra)


def eval_json(cli, root, model, *extra):
    r = cli("eval", model, "--data", root / DATA, "--card", root / ZOO / "card.json", "--json",
            *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["eval"]


@pytest.fixture(scope="module")
def shrunk(cli, root, tmp_path_factory):
    out = tmp_path_factory.mktemp("shrink") / "mlp"
    r = shrink_cli(cli, root, out, "--max-drop", "1.0", "--target", "nucleo_l4r5zi")
    assert r.returncode == 0, r.stderr
    return out, r


def test_outputs_and_summary(shrunk):
    out, r = shrunk
    assert "result: PASS" in r.stdout and "top1 (" in r.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["digits_mlp_float.onnx", "digits_mlp_int8.onnx", "calibration.json",
                            "report.json", "report.md", "report.html", "c"])
    assert (out / "c" / "digits_mlp.h").exists() and (out / "c" / "digits_mlp_weights.c").exists()
    assert "fits" in r.stdout and "instructions" in r.stdout
    onnx.checker.check_model(onnx.load(str(out / "digits_mlp_int8.onnx")))
    assert "<svg" in (out / "report.html").read_text()
    assert not list(out.parent.glob("*.partial-*"))


def test_report_matches_the_separate_verbs(shrunk, cli, root):
    out, _ = shrunk
    rep = json.loads((out / "report.json").read_text())
    assert rep["format"] == "tinyq.report" and rep["version"] == 2 and rep["verb"] == "shrink"
    validate(rep)
    assert rep["model"]["sha256"] == hashlib.sha256((root / ZOO / "model.onnx").read_bytes()).hexdigest()
    assert rep["footprint"]["const_bytes"] == rep["export"]["weight_bytes"]
    float_eval = eval_json(cli, root, root / ZOO / "model.onnx")
    int8_eval = eval_json(cli, root, out / "digits_mlp_int8.onnx", "--int8")
    assert rep["metric"]["float"] == pytest.approx(float_eval["value"], abs=1e-9)
    assert rep["metric"]["int8"] == pytest.approx(int8_eval["value"], abs=1e-9)
    confusion = np.array(rep["evaluation"]["confusion_int8"])
    assert confusion.sum() == rep["metric"]["samples"]
    assert np.trace(confusion) / confusion.sum() * 100 == pytest.approx(rep["metric"]["int8"])
    assert rep["stages"][:3] == ["load", "optimize", "quantize"]
    fp = rep["footprint"]
    assert fp["board"] == "nucleo_l4r5zi" and fp["fits"] is True
    assert fp["flash_bytes"] == rep["budget"]["flash"]["total_bytes"] > fp["int8_weight_bytes"]
    assert fp["arena_bytes"] == fp["arena_lower_bound_bytes"]
    assert rep["budget"]["measured"]["instructions_per_inference"] > 0


def test_existing_output_needs_force(shrunk, cli, root):
    out, _ = shrunk
    r = shrink_cli(cli, root, out)
    assert r.returncode == 5 and "--force" in r.stderr
    r = shrink_cli(cli, root, out, "--force", "--eval-limit", "100")
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "report.json").read_text())["metric"]["samples"] == 100


def test_bad_model_leaves_nothing(cli, root, tmp_path):
    out = tmp_path / "o"
    r = shrink_cli(cli, root, out, model=root / "tests/testdata/bad/truncated.onnx")
    assert r.returncode == 3 and "truncated.onnx" in r.stderr
    assert list(tmp_path.iterdir()) == []


def degraded_mlp(root, path, noise):
    m = onnx.load(str(root / ZOO / "model.onnx"))
    rng = np.random.default_rng(0)
    for init in m.graph.initializer:
        w = numpy_helper.to_array(init)
        if w.ndim == 2:
            init.CopyFrom(numpy_helper.from_array(
                (w + noise * np.abs(w).mean() * rng.standard_normal(w.shape)).astype(w.dtype),
                init.name))
    onnx.save(m, str(path))
    return path


def test_ci_gate_trips_on_a_degraded_model(shrunk, cli, root, tmp_path):
    base, _ = shrunk
    bad = degraded_mlp(root, tmp_path / "degraded.onnx", noise=2.0)
    out = tmp_path / "degraded"
    r = shrink_cli(cli, root, out, model=bad)
    assert r.returncode == 0, r.stderr
    r = cli("check", out / "report.json", "--baseline", base / "report.json",
            "--max-accuracy-drop", "0.5", "--junit", tmp_path / "j.xml")
    assert r.returncode == 1, r.stdout
    assert "FAIL  int8 top1 drop vs baseline" in r.stdout
    # ... while the model's own shrink passes against itself.
    assert cli("check", base / "report.json", "--baseline", base / "report.json",
               "--max-accuracy-drop", "0.5").returncode == 0


def test_max_drop_gate_exits_1_and_still_writes_outputs(cli, root, tmp_path):
    # Calibrating on images at 5 % of their brightness leaves the int8 ranges far too narrow for
    # the test images: int8 accuracy collapses and the --max-drop gate must trip.
    x = tinyq.read_dataset(root / CALIB)["x"]
    np.savez(tmp_path / "dim.npz", x=(x * 0.05).astype(x.dtype))
    out = tmp_path / "o"
    r = cli("shrink", root / ZOO / "model.onnx", "--data", root / DATA, "--calib",
            tmp_path / "dim.npz", "--card", root / ZOO / "card.json", "-o", out, "--max-drop", "1")
    assert r.returncode == 1, r.stderr
    assert "result: FAIL" in r.stdout and "accuracy: int8 top1" in r.stdout
    rep = json.loads((out / "report.json").read_text())
    assert rep["metric"]["float"] - rep["metric"]["int8"] > 1
    assert rep["gates"]["passed"] is False and rep["gates"]["failures"]


def test_budget_gate_trips_when_the_board_is_too_small(shrunk, cli, root, tmp_path):
    out = tmp_path / "small"
    r = shrink_cli(cli, root, out, "--target", "nucleo_l4r5zi", "--flash", "8K")
    assert r.returncode == 1, r.stderr
    assert "budget: flash needs" in r.stdout and "DOES NOT FIT" in r.stdout
    rep = json.loads((out / "report.json").read_text())
    assert rep["footprint"]["flash_limit_bytes"] == 8192 and rep["footprint"]["fits"] is False
    r = cli("check", out / "report.json")
    assert r.returncode == 1 and "FAIL  flash fits the board" in r.stdout
    r = shrink_cli(cli, root, tmp_path / "x", "--target", "no_such_board")
    assert r.returncode == 6 and "no_such_board" in r.stderr
    assert not (tmp_path / "x").exists()


def test_python_shrink_with_arrays(root, tmp_path):
    d = tinyq.read_dataset(root / DATA)
    rep = tinyq.shrink(tinyq.load(root / ZOO / "model.onnx"), {"x": d["x"][:300], "y": d["y"][:300]},
                       tmp_path / "py", calib=root / CALIB, card=root / ZOO / "card.json")
    assert rep.passed and rep.metric["samples"] == 300
    assert isinstance(rep, tinyq.Report) and rep.verb == "shrink"
    validate(rep)
    assert tinyq.check(rep, max_accuracy_drop=100).passed
    assert rep.to_dict()["files"][0].endswith("_float.onnx")
    assert "<svg" in rep._repr_html_()
    with pytest.raises(tinyq.FailedPreconditionError, match="exists"):
        tinyq.shrink(root / ZOO / "model.onnx", root / DATA, tmp_path / "py", calib=root / CALIB)


def test_distill_progress_runs_once_over_all_epochs(cli, root, tmp_path):
    """The distill stage's progress counts samples over all epochs (one bar, one ETA), instead of
    restarting at 0 % every epoch."""
    train = root / "datasets/out/digits_train.npz"
    n = len(tinyq.read_dataset(train)["y"])
    r = shrink_cli(cli, root, tmp_path / "d", "--prune-channels", "0.5", "--distill", "--train",
                   train, "--epochs", "3")
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stderr.splitlines() if l.startswith("distill: ")]
    done = [int(l.split()[1].split("/")[0]) for l in lines]
    totals = {int(l.split()[1].split("/")[1]) for l in lines}
    assert totals == {3 * n}, lines
    assert len(done) >= 5 and done == sorted(done) and done[-1] == 3 * n, lines
    rep = json.loads((tmp_path / "d" / "report.json").read_text())
    assert len(rep["distill"]["epochs"]) == 3
    # The unpruned teacher's soft labels were measured on the whole training set; a warning about
    # them would be in the summary as well.
    assert rep["distill"]["teacher_soft_labels"]["samples"] == n
    assert r.stdout.count("distill warning: ") == len(rep["distill"]["warnings"])
