"""One report format for every verb (docs/report_schema.md), through the CLI and Python:

- quantize, prune, distill, train, eval, export and budget write a "tinyq.report" that validates
  against docs/report.schema.json (`--report` file and `--json` output alike), naming the model
  file by its sha256;
- `tinyq check` / `tinyq.check` read each of them and run what its figures allow: the int8 or
  pruned drop vs float, the drop vs a baseline of another verb, const data / arena growth of an
  export, the board fit of a budget (a too-small board fails with exit 1), and list the requested
  checks a report has no figures for as skipped;
- Python verbs return `tinyq.Report` objects whose JSON is the CLI's (up to paths and timing),
  which `tinyq.check` takes as they are and `save()` writes for the CLI.
"""
import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import tinyq
from conftest import ROOT, TESTDATA
from report_schema import validate

ZOO = ROOT / "benchmarks" / "zoo"
DATA = ROOT / "datasets" / "out"
DIGITS = ZOO / "digits_mlp"
TEACHER = ZOO / "fmnist_teacher" / "model.onnx"
STUDENT = ZOO / "fmnist_student" / "model.onnx"
FMNIST_CARD = ZOO / "fmnist_teacher" / "card.json"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """300 digits validation samples; 400 fmnist training and 200 validation samples."""
    d = tmp_path_factory.mktemp("report_data")
    with np.load(DATA / "digits_test.npz") as z:
        np.savez(d / "val.npz", x=z["x"][:300], y=z["y"][:300])
    with np.load(DATA / "fmnist_calib_1k.npz") as z:
        np.savez(d / "train.npz", x=z["x"][:400], y=z["y"][:400])
        np.savez(d / "fval.npz", x=z["x"][400:600], y=z["y"][400:600])
    shutil.copytree(TESTDATA / "target" / "tiny", d / "tiny")
    for f in (ROOT / "src" / "runtime").glob("tq_*"):
        shutil.copy(f, d / "tiny")
    return d


@pytest.fixture(scope="module")
def reports(cli, data, tmp_path_factory):
    """Each verb run once through the CLI with --report: {name: report path}."""
    d = tmp_path_factory.mktemp("reports")
    card, calib, val = DIGITS / "card.json", DATA / "digits_calib.npz", data / "val.npz"
    runs = {
        "quantize": ["quantize", DIGITS / "model.onnx", "--calib", calib, "--card", card,
                     "--calib-limit", 300, "--max-drop", 1, "--val", val, "-o", d / "q.onnx"],
        "prune": ["prune", DIGITS / "model.onnx", "--data", calib, "--card", card, "--channels",
                  0.25, "--recover", "lsq", "--val", val, "-o", d / "p.onnx"],
        "eval": ["eval", d / "q.onnx", "--data", val, "--card", card],
        "export": ["export", d / "q.onnx", "-o", d / "c", "--name", "digits"],
        "budget": ["budget", data / "tiny", "--target", "samd21"],
        "budget_small": ["budget", data / "tiny", "--target", "samd21", "--flash", "1K"],
        "distill": ["distill", "--teacher", TEACHER, "--student", STUDENT, "--data",
                    data / "train.npz", "--val", data / "fval.npz", "--card", FMNIST_CARD,
                    "--epochs", 1, "-o", d / "kd.onnx"],
        "train": ["train", STUDENT, "--data", data / "train.npz", "--val", data / "fval.npz",
                  "--card", FMNIST_CARD, "--epochs", 1, "-o", d / "t.onnx"],
    }
    paths = {}
    for name, args in runs.items():
        paths[name] = d / f"{name}.json"
        r = cli(*args, "--report", paths[name])
        assert r.returncode == (1 if name == "budget_small" else 0), (name, r.stderr)
        assert paths[name].exists(), name
    return paths


def load(path):
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", ["quantize", "prune", "eval", "export", "budget", "budget_small",
                                  "distill", "train"])
def test_cli_report_validates_and_names_the_model(name, reports):
    rep = load(reports[name])
    validate(rep)
    assert rep["verb"] == name.split("_")[0]
    assert list(rep)[:5] == ["format", "version", "verb", "tinyq_version", "model"]
    model = rep["model"]["path"]
    if name.startswith("budget"):
        assert "sha256" not in rep["model"]  # a C directory
    else:
        assert rep["model"]["sha256"] == sha256(Path(model))


def test_json_output_is_the_report_file(cli, reports, data):
    r = cli("eval", reports["eval"].parent / "q.onnx", "--data", data / "val.npz",
            "--card", DIGITS / "card.json", "--json")
    assert r.returncode == 0, r.stderr
    assert r.stdout == reports["eval"].read_text()


def check(cli, *args):
    r = cli("check", *args)
    return r.returncode, r.stdout + r.stderr


def test_check_quantize_prune_and_eval_reports(cli, reports):
    q, p, e = (load(reports[k]) for k in ("quantize", "prune", "eval"))
    rc, out = check(cli, reports["quantize"], "--max-accuracy-drop", 100)
    drop = q["metric"]["float"] - q["metric"]["int8"]
    assert rc == 0 and f"PASS  int8 top1 drop vs float: {drop:.2f} pt" in out, out
    rc, out = check(cli, reports["prune"], "--max-accuracy-drop", 100)
    drop = p["metric"]["float"] - p["metric"]["pruned"]
    assert rc == 0 and f"PASS  pruned top1 drop vs float: {drop:.2f} pt" in out, out
    # An eval measured one model; against the quantize report's validation int8 (same data, same
    # model file) its drop is exactly 0.
    assert e["metric"]["int8"] == q["metric"]["int8"] and e["metric"]["samples"] == 300
    rc, out = check(cli, reports["eval"], "--baseline", reports["quantize"], "--max-accuracy-drop", 0)
    assert rc == 0 and "PASS  int8 top1 drop vs baseline: 0.00 pt" in out, out
    assert "SKIP  int8 top1 drop vs float: not run:" in out, out
    assert "the eval report measured one model (metric.int8 only)" in out, out
    assert "(1 check, 0 failed, 1 skipped)" in out, out


def test_check_export_reports_growth_and_says_what_is_missing(cli, reports, tmp_path):
    rc, out = check(cli, reports["export"], "--baseline", reports["export"],
                    "--max-flash-growth", 0, "--max-ram-growth", 0, "--max-accuracy-drop", 1,
                    "--junit", tmp_path / "j.xml")
    assert rc == 0, out
    assert "PASS  C const data growth vs baseline: 0.00%" in out, out
    assert "PASS  arena growth vs baseline: 0.00%" in out, out
    assert "SKIP  accuracy drop vs float: not run:" in out and "export report has no metric" in out
    suite = ET.parse(tmp_path / "j.xml").getroot().find("testsuite")
    assert suite.get("skipped") == "2" and suite.get("failures") == "0"
    rc, out = check(cli, reports["export"])
    assert rc == 5 and "nothing to check" in out, out


def test_check_budget_reports_fail_on_a_too_small_board(cli, reports, tmp_path):
    small = load(reports["budget_small"])
    fp = small["footprint"]
    assert fp["fits"] is False and fp["flash_limit_bytes"] == 1024 < fp["flash_bytes"]
    rc, out = check(cli, reports["budget_small"], "--junit", tmp_path / "j.xml",
                    "--markdown", tmp_path / "m.md")
    assert rc == 1, out
    assert f"FAIL  flash fits the board: {fp['flash_bytes']} (limit 1024;" in out, out
    assert "PASS  RAM fits the board" in out
    failed = [t.get("name") for t in ET.parse(tmp_path / "j.xml").getroot().iter("testcase")
              if t.find("failure") is not None]
    assert failed == ["flash fits the board"]
    assert "❌ failed" in (tmp_path / "m.md").read_text()
    # The same build on the board's real flash fits; flash/RAM did not grow.
    rc, out = check(cli, reports["budget"], "--baseline", reports["budget_small"],
                    "--max-flash-growth", 0, "--max-ram-growth", 0)
    assert rc == 0, out
    assert "PASS  flash growth vs baseline: 0.00%" in out and "PASS  RAM growth vs baseline" in out


def test_check_distill_and_train_reports(cli, reports):
    d, t = load(reports["distill"]), load(reports["train"])
    assert d["metric"]["float"] == d["distill"]["best_val_top1"] > 10.0
    rc, out = check(cli, reports["distill"], "--baseline", reports["train"],
                    "--max-accuracy-drop", 100)
    delta = t["metric"]["float"] - d["metric"]["float"]
    assert rc == 0 and f"PASS  float top1 drop vs baseline: {delta:.2f} pt" in out, out
    assert "SKIP  top1 drop vs float" in out
    assert "epoch_seconds" in d["timing"] and "seconds" not in d["distill"]["epochs"][0]


def test_python_verbs_return_reports_that_check_reads(data, tmp_path):
    card, calib, val = DIGITS / "card.json", DATA / "digits_calib.npz", data / "val.npz"
    model = tinyq.load(DIGITS / "model.onnx")
    q = tinyq.quantize(model, calib, card=card, calib_limit=300, max_drop=1.0, val=val)
    p = tinyq.prune(model, calib, card=card, channels=0.25, recover="lsq", val=val)
    e = tinyq.evaluate(q, val, card=card)
    x = tinyq.export(q, tmp_path / "c", name="digits")
    b = tinyq.budget(data / "tiny", "samd21", flash="1K")
    t = tinyq.train(STUDENT, data / "train.npz", val=data / "fval.npz", card=FMNIST_CARD, epochs=1)
    for rep, verb in ((q.report, "quantize"), (p.report, "prune"), (e, "eval"), (x, "export"),
                      (b, "budget"), (t.report, "train")):
        assert isinstance(rep, tinyq.Report) and rep.verb == verb, verb
        validate(rep)
        assert f"**tinyq {verb}** report" in rep._repr_markdown_()
    # The loaded model is named by its file; a model made in memory by its source, no sha256.
    assert q.report["model"] == {"path": str(DIGITS / "model.onnx"),
                                 "sha256": sha256(DIGITS / "model.onnx")}
    assert e["model"] == {"path": str(DIGITS / "model.onnx") + " (int8)"}
    assert x["model"] == e["model"]
    res = tinyq.check(q.report, max_accuracy_drop=100)
    assert res.passed and [c["name"] for c in res.checks] == ["int8 top1 drop vs float"]
    res = tinyq.check(e, q.report, max_accuracy_drop=0)  # same model and data: no drop
    assert res.passed and res.skipped == 1
    assert next(c for c in res.checks if c["result"] == "pass")["value"] == 0.0
    assert tinyq.check(p.report, max_accuracy_drop=100).checks[0]["name"] == \
        "pruned top1 drop vs float"
    res = tinyq.check(b)
    assert not res.passed and res.failures == 1
    with pytest.raises(tinyq.InvalidArgumentError, match=r"<export report>: nothing to check"):
        tinyq.check(x)
    # save() writes what the CLI reads.
    b.save(tmp_path / "b.json")
    assert json.loads((tmp_path / "b.json").read_text()) == b.to_dict()


@pytest.mark.same_build
def test_python_and_cli_reports_agree(reports, data):
    """The same quantization from Python and the CLI: the same report but for timing."""
    q = tinyq.quantize(DIGITS / "model.onnx", DATA / "digits_calib.npz", card=DIGITS / "card.json",
                       calib_limit=300, max_drop=1.0, val=data / "val.npz")
    cli_rep, py_rep = load(reports["quantize"]), q.report.to_dict()
    for r in (cli_rep, py_rep):
        r.pop("timing")
        r["model"].pop("path")
    assert py_rep == cli_rep
