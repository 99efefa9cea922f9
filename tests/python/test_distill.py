"""Training as users rely on it, through the CLI (`tinyq distill`, `tinyq train`) and Python
(`tinyq.distill`, `tinyq.train`, `tinyq.torch`):

- a short distillation of the committed untrained student (benchmarks/zoo/fmnist_student) from
  the zoo teacher lifts its test accuracy far above chance and writes a report;
- a feature-map loss (here on the logits, the only tensor teacher and student share in shape)
  pulls the student's tensor towards the teacher's, through the CLI and Python alike; mismatching
  shapes are refused naming the tensor; BatchNormalization training updates the saved running
  statistics; augmentation runs the teacher on every batch;
- the teacher's soft-label entropy is measured at T = 1, 2, 4, 8 (checked against numpy on the
  teacher's logits), and the label-smoothed zoo teacher's nearly uniform soft labels at T = 4 are
  warned about on stderr / as a UserWarning, at T = 1 not;
- the same seed gives byte-identical models; Python and the CLI give identical weights;
- bad inputs get their documented exit codes / exception classes and leave no output behind;
- tinyq.torch.kd_loss equals the KD formula computed in numpy, and TeacherDataset serves the
  teacher logits of tinyq's executor.
"""
import hashlib
import json
import warnings

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import pytest

import tinyq
from conftest import ROOT, assert_same_numbers
from report_schema import validate

ZOO = ROOT / "benchmarks" / "zoo"
DATA = ROOT / "datasets" / "out"
TEACHER = ZOO / "fmnist_teacher" / "model.onnx"
CARD = ZOO / "fmnist_teacher" / "card.json"
STUDENT = ZOO / "fmnist_student" / "model.onnx"


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """600 training and 400 validation samples from the calibration set, 1000 test samples."""
    d = tmp_path_factory.mktemp("distill_data")
    with np.load(DATA / "fmnist_calib_1k.npz") as z:
        x, y = z["x"], z["y"]
    with np.load(DATA / "fmnist_test.npz") as z:
        np.savez(d / "test.npz", x=z["x"][:1000], y=z["y"][:1000])
    np.savez(d / "train.npz", x=x[:600], y=y[:600])
    np.savez(d / "val.npz", x=x[600:], y=y[600:])
    np.savez(d / "nolabels.npz", x=x[:50])
    return d


def weights(path):
    return {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}


def test_distill_cli_trains_the_student_and_reports(cli, sets, tmp_path):
    out, report = tmp_path / "kd.onnx", tmp_path / "r.json"
    cache = tmp_path / "t.npz"
    r = cli("distill", "--teacher", TEACHER, "--student", STUDENT, "--data", sets / "train.npz",
            "--val", sets / "val.npz", "--card", CARD, "--epochs", 2, "--batch", 32, "--lr", 0.005,
            "--teacher-cache", cache, "-o", out, "--report", report)
    assert r.returncode == 0, r.stderr
    assert "epoch 1/2" in r.stderr and "ETA" in r.stderr  # progress lines (not a tty)
    envelope = json.loads(report.read_text())
    assert envelope["format"] == "tinyq.report" and envelope["verb"] == "distill"
    rep = envelope["distill"]
    assert len(rep["epochs"]) == 2 and rep["trained_params"] == 9098
    assert envelope["timing"]["samples_per_second"] > 0 and not rep["teacher_cache_hit"]
    assert len(envelope["timing"]["epoch_seconds"]) == 2
    # the metric is the kept epoch's validation top-1 of the (float) student
    assert envelope["metric"]["float"] == rep["best_val_top1"] == \
        max(e["val_top1"] for e in rep["epochs"])
    assert cache.exists()
    # The teacher's validation top-1, as `tinyq eval` gives it, is reported next to the student's.
    teacher_val = json.loads(cli("eval", TEACHER, "--data", sets / "val.npz", "--card", CARD,
                                 "--json").stdout)["metric"]["float"]
    # (the trainer's forward pass and the executor may round differently: one sample of 400 at most)
    assert rep["teacher_val_top1"] == pytest.approx(teacher_val, abs=100 / 400 + 1e-9)
    assert teacher_val > 80 and f"teacher val top1 {rep['teacher_val_top1']:.2f}%" in r.stdout
    before = json.loads(cli("eval", STUDENT, "--data", sets / "test.npz", "--card", CARD,
                            "--json").stdout)["metric"]["float"]
    after = json.loads(cli("eval", out, "--data", sets / "test.npz", "--card", CARD,
                           "--json").stdout)["metric"]["float"]
    assert before < 25.0 and after > 55.0, (before, after)
    # Second run reads the cached teacher logits.
    r = cli("distill", "--teacher", TEACHER, "--student", STUDENT, "--data", sets / "train.npz",
            "--card", CARD, "--epochs", 1, "--teacher-cache", cache, "-o", tmp_path / "b.onnx",
            "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["distill"]["teacher_cache_hit"] is True


def soft_label_moments(logits, temperature):
    """Mean entropy (nats) and mean top probability of softmax(logits / T), in numpy."""
    z = logits.astype(np.float64) / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return float(np.mean(-np.sum(p * np.log(p), axis=1))), float(np.mean(p.max(axis=1)))


@pytest.mark.parametrize("temperature, near_uniform", [(4, True), (1, False)])
def test_a_label_smoothed_teachers_flat_soft_labels_are_measured_and_warned_about(
        cli, sets, tmp_path, temperature, near_uniform):
    # fmnist_teacher was trained with label smoothing 0.1 (docs/distillation.md): at T = 4 its
    # softmax is close to uniform, so the KD term mostly pulls the student towards equal scores.
    args = ["--teacher", TEACHER, "--student", STUDENT, "--data", sets / "train.npz", "--card",
            CARD, "--epochs", 1, "--temperature", temperature]
    r = cli("distill", *args, "-o", tmp_path / "kd.onnx", "--report", tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    envelope = json.loads((tmp_path / "r.json").read_text())
    validate(envelope)
    rep = envelope["distill"]
    soft = rep["teacher_soft_labels"]
    assert soft["samples"] == 600 and soft["max_entropy"] == pytest.approx(np.log(10))
    assert [t["temperature"] for t in soft["by_temperature"]] == [1, 2, 4, 8]
    with np.load(sets / "train.npz") as z:
        x = z["x"]
    card = json.loads(CARD.read_text())["preprocess"]
    x = ((x.astype(np.float32) * card["scale"]) - card["mean"]) / card["std"]
    logits = next(iter(tinyq.load(TEACHER).run(x.reshape(-1, 1, 28, 28)).values()))
    for t in soft["by_temperature"]:
        entropy, top = soft_label_moments(logits, t["temperature"])
        assert t["mean_entropy"] == pytest.approx(entropy, abs=1e-4)
        assert t["mean_top_probability"] == pytest.approx(top, abs=1e-4)
    assert soft["near_uniform"] is near_uniform
    assert ("warning: the teacher's soft labels at temperature 4 are nearly uniform"
            in r.stderr) is near_uniform
    assert len(rep["warnings"]) == int(near_uniform)
    assert ("teacher soft labels, mean entropy" in cli("distill", *args, "-o",
                                                        tmp_path / "kd2.onnx").stdout)
    # Python: the same figures, and the warning as a UserWarning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = tinyq.distill(STUDENT, TEACHER, sets / "train.npz", card=CARD, epochs=1,
                          temperature=temperature)
    assert m.report["distill"]["teacher_soft_labels"] == soft
    flat = [w for w in caught if "nearly uniform" in str(w.message)]
    assert len(flat) == int(near_uniform) and all(w.category is UserWarning for w in flat)


@pytest.mark.same_build
def test_same_seed_same_bytes_and_python_matches_cli(cli, sets, tmp_path):
    args = ["--data", sets / "train.npz", "--card", CARD, "--epochs", 1, "--batch", 50,
            "--optimizer", "sgd", "--lr", 0.05, "--seed", 3]
    for name in ("a", "b"):
        r = cli("train", STUDENT, *args, "-o", tmp_path / f"{name}.onnx")
        assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.onnx").read_bytes() == (tmp_path / "b.onnx").read_bytes()
    r = cli("train", STUDENT, *args[:-1], 4, "-o", tmp_path / "c.onnx")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.onnx").read_bytes() != (tmp_path / "c.onnx").read_bytes()
    m = tinyq.train(str(STUDENT), str(sets / "train.npz"), card=str(CARD), epochs=1, batch=50,
                    optimizer="sgd", lr=0.05, seed=3)
    m.save(str(tmp_path / "py.onnx"))
    cli_w, py_w = weights(tmp_path / "a.onnx"), weights(tmp_path / "py.onnx")
    assert cli_w.keys() == py_w.keys()
    for k in cli_w:
        assert_same_numbers(cli_w[k], py_w[k], err_msg=k)
    assert m.report.verb == "train" and m.report["distill"]["epochs"][0]["train_loss"] > 0


def test_python_distill_with_arrays_and_validation(sets):
    with np.load(sets / "train.npz") as z:
        x, y = z["x"], z["y"]
    m = tinyq.distill(tinyq.load(STUDENT), tinyq.load(TEACHER), (x, y), val=str(sets / "val.npz"),
                      card=str(CARD), epochs=1, batch=32, lr=0.005, temperature=3.0, alpha=0.7)
    assert m.report.verb == "distill" and m.report["distill"]["best_epoch"] == 1
    assert m.report["metric"]["float"] == m.report["distill"]["best_val_top1"] > 30.0
    validate(m.report)
    assert m.report["model"] == {"path": str(STUDENT), "sha256": hashlib.sha256(
        STUDENT.read_bytes()).hexdigest()}
    res = tinyq.check(m.report, m.report, max_accuracy_drop=0)
    assert res.passed and res.skipped == 1  # vs itself: no drop; vs float: one model measured
    out = m.run({"input": np.zeros((2, 1, 28, 28), np.float32)})["logits"]
    assert out.shape == (2, 10)


def logit_distance(a, b, sets):
    """Mean squared difference of two models' logits on the first 200 test samples."""
    with np.load(sets / "test.npz") as z:
        x = z["x"][:200].reshape(-1, 1, 28, 28).astype(np.float32) / 255.0
    pre = json.loads(CARD.read_text())["preprocess"]
    x = (x - pre["mean"]) / pre["std"]
    return float(np.mean((a.run({"input": x})["logits"] - b.run({"input": x})["logits"]) ** 2))


@pytest.mark.same_build
def test_feature_loss_pulls_the_student_tensor_to_the_teachers(cli, sets, tmp_path):
    # alpha 0: no KD term, so only the feature term brings the teacher in.
    args = ["--teacher", TEACHER, "--student", STUDENT, "--data", sets / "train.npz", "--card",
            CARD, "--epochs", 2, "--batch", 32, "--lr", 0.005, "--alpha", 0]
    r = cli("distill", *args, "-o", tmp_path / "plain.onnx")
    assert r.returncode == 0, r.stderr
    r = cli("distill", *args, "--feature-loss", "logits:logits:0.5", "-o", tmp_path / "fm.onnx",
            "--report", tmp_path / "fm.json")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "fm.json").read_text())["distill"]["teacher_online"] is True
    teacher = tinyq.load(TEACHER)
    plain = logit_distance(tinyq.load(tmp_path / "plain.onnx"), teacher, sets)
    matched = logit_distance(tinyq.load(tmp_path / "fm.onnx"), teacher, sets)
    assert matched < 0.5 * plain, (matched, plain)
    # Python: the same run gives the same weights.
    m = tinyq.distill(str(STUDENT), str(TEACHER), str(sets / "train.npz"), card=str(CARD),
                      epochs=2, batch=32, lr=0.005, alpha=0.0,
                      feature_loss=[("logits", "logits", 0.5)])
    m.save(str(tmp_path / "py.onnx"))
    cli_w, py_w = weights(tmp_path / "fm.onnx"), weights(tmp_path / "py.onnx")
    for k in cli_w:
        assert_same_numbers(cli_w[k], py_w[k], err_msg=k)
    # Shapes that differ (teacher 32 x 28 x 28, student 8 x 28 x 28) name the tensors.
    r = cli("distill", *args, "--feature-loss", "/2/Relu_output_0:/1/Relu_output_0",
            "-o", tmp_path / "bad.onnx")
    assert r.returncode == 5 and "/1/Relu_output_0" in r.stderr and "differs" in r.stderr, r.stderr
    assert not (tmp_path / "bad.onnx").exists()
    r = cli("distill", *args, "--feature-loss", "logits", "-o", tmp_path / "bad.onnx")
    assert r.returncode == 5 and "TEACHER_TENSOR:STUDENT_TENSOR" in r.stderr
    with pytest.raises(tinyq.InvalidArgumentError, match="no float activation 'nope'"):
        tinyq.distill(str(STUDENT), str(TEACHER), str(sets / "train.npz"), card=str(CARD),
                      epochs=1, feature_loss=["nope:logits"])


def test_batch_norm_training_and_augmentation(cli, sets, tmp_path):
    # The teacher has BatchNormalization; train a copy of it for one epoch on 600 samples.
    r = cli("train", TEACHER, "--data", sets / "train.npz", "--card", CARD, "--epochs", 1,
            "--batch", 50, "--lr", 0.0005, "--batch-norm", "train", "--warmup", 0.5,
            "--augment-shift", 1, "--augment-flip", "-o", tmp_path / "bn.onnx", "--report",
            tmp_path / "bn.json")
    assert r.returncode == 0, r.stderr
    r = cli("train", TEACHER, "--data", sets / "train.npz", "--card", CARD, "--epochs", 1,
            "--batch", 50, "--lr", 0.0005, "-o", tmp_path / "frozen.onnx")
    assert r.returncode == 0, r.stderr
    g0 = onnx.load(str(TEACHER)).graph
    stats = {n.input[3] for n in g0.node if n.op_type == "BatchNormalization"} | \
            {n.input[4] for n in g0.node if n.op_type == "BatchNormalization"}
    before, trained, frozen = (weights(p) for p in (TEACHER, tmp_path / "bn.onnx",
                                                    tmp_path / "frozen.onnx"))
    assert stats and all(np.array_equal(before[k], frozen[k]) for k in stats)
    assert all(not np.array_equal(before[k], trained[k]) for k in stats)
    # Augmentation with a teacher: the teacher runs on every (augmented) batch.
    m = tinyq.distill(str(STUDENT), str(TEACHER), str(sets / "train.npz"), card=str(CARD),
                      epochs=1, batch=50, augment_shift=1, augment_flip=True)
    assert m.report["distill"]["teacher_online"] is True
    r = cli("train", STUDENT, "--data", sets / "train.npz", "--batch-norm", "sometimes",
            "-o", tmp_path / "x.onnx")
    assert r.returncode == 5 and "batch-norm" in r.stderr


def unsupported_student(path):
    """x [1, 784] -> Gemm -> Sigmoid: the trainer has no gradient for Sigmoid."""
    w = numpy_helper.from_array(np.full((784, 10), 0.01, np.float32), "w")
    g = helper.make_graph(
        [helper.make_node("Gemm", ["input", "w"], ["h"], name="fc"),
         helper.make_node("Sigmoid", ["h"], ["logits"], name="squash")], "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 784])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], [w])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), str(path))


def test_bad_inputs_exit_codes_and_no_output(cli, sets, tmp_path):
    out = tmp_path / "out.onnx"
    r = cli("train", STUDENT, "--data", sets / "nolabels.npz", "-o", out)
    assert r.returncode == 5 and "nolabels.npz" in r.stderr
    r = cli("distill", "--student", STUDENT, "--data", sets / "train.npz", "-o", out)
    assert r.returncode == 5 and "--teacher" in r.stderr
    bad = tmp_path / "sigmoid.onnx"
    unsupported_student(bad)
    r = cli("train", bad, "--data", sets / "train.npz", "-o", out)
    assert r.returncode == 4 and "'squash' (Sigmoid)" in r.stderr, r.stderr
    r = cli("train", STUDENT, "--data", sets / "train.npz", "--alpha", 2, "-o", out)
    assert r.returncode == 2  # --alpha is not an option of `train`
    r = cli("distill", "--teacher", TEACHER, "--student", STUDENT, "--data", sets / "train.npz",
            "--alpha", 2, "-o", out)
    assert r.returncode == 5
    r = cli("train", STUDENT, "--data", tmp_path / "missing.npz", "-o", out)
    assert r.returncode == 6
    assert not out.exists()
    with pytest.raises(tinyq.UnsupportedError, match="squash"):
        tinyq.train(str(bad), str(sets / "train.npz"))
    with pytest.raises(tinyq.InvalidArgumentError):
        tinyq.distill(str(STUDENT), str(TEACHER), str(sets / "train.npz"), alpha=-1)
    for verb in ("distill", "train"):
        r = cli(verb, "--help")
        assert r.returncode == 0 and "--epochs" in r.stdout and "--seed" in r.stdout


def test_torch_kd_loss_matches_numpy_formula():
    import torch
    import tinyq.torch as tt
    rng = np.random.default_rng(0)
    s, t = rng.normal(size=(4, 5)), 2 * rng.normal(size=(4, 5))
    y = np.array([0, 4, 2, 1])
    T, alpha = 3.0, 0.6

    def log_softmax(z):
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    p, lq = np.exp(log_softmax(t / T)), log_softmax(s / T)
    kd = (p * (np.log(p) - lq)).sum(axis=1).mean() * T * T
    ce = -log_softmax(s)[np.arange(4), y].mean()
    got = tt.kd_loss(torch.tensor(s), torch.tensor(t), T=T, alpha=alpha, labels=torch.tensor(y))
    assert got.item() == pytest.approx((1 - alpha) * ce + alpha * kd, rel=1e-9)
    assert tt.kd_loss(torch.tensor(s), torch.tensor(t), T=T).item() == pytest.approx(kd, rel=1e-9)


def test_torch_teacher_dataset_serves_tinyq_logits(sets, tmp_path):
    import tinyq.torch as tt
    ds = tt.TeacherDataset(str(TEACHER), str(sets / "val.npz"), card=str(CARD), limit=8,
                           cache=str(tmp_path / "c.npz"))
    assert len(ds) == 8
    x, y, logits = ds[3]
    assert tuple(x.shape) == (1, 28, 28) and logits.shape[0] == 10
    ref = tinyq.load(TEACHER).run({"input": x.numpy()[None]})["logits"][0]
    np.testing.assert_allclose(logits.numpy(), ref, rtol=1e-5, atol=1e-5)
    again = tt.TeacherDataset(str(TEACHER), str(sets / "val.npz"), card=str(CARD), limit=8,
                              cache=str(tmp_path / "c.npz"))
    np.testing.assert_array_equal(again.logits, ds.logits)
