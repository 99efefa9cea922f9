#!/usr/bin/python3
"""Post-training int8 quantization of every zoo model: tinyq against PyTorch FX, same calibration data.

    /usr/bin/python3 benchmarks/ptq_vs_pytorch.py [--models a,b] [--limit N] [--tinyq PATH]
        [--no-tinyq] [--variants default,adaround,search] [--qconfig x86|qnnpack]
        [--engine onednn|qnnpack] [--split test|val] [--calib-draws K] [--out FILE.md]
        [--json FILE.json]

For each zoo model (benchmarks/zoo/<name>/):
- PyTorch: the nn.Module is rebuilt from the model's train.py `build()` and its weights are loaded from
  the committed model.onnx initializers, matched to the modules by execution order and checked by type
  and shape (BatchNormalization is kept in the zoo's ONNX, so the modules keep their BN layers). The
  rebuilt module must reproduce the numpy reference executor (benchmarks/zoo/onnx_np.py) on 8 test
  samples to 1e-4 (relative to the largest output), and its float metric on the evaluated test set is
  reported as "float" (on the full set it must equal the card's float_metric within 0.1 pt / 0.002).
  Then torch.ao.quantization.quantize_fx: prepare_fx (which fuses Conv/Linear+BN(+ReLU)), calibration
  on the model's calibration subset, convert_fx; the time of these three steps is "PyTorch time s".
- tinyq: `tinyq quantize MODEL --calib CALIB.npz --card card.json -o OUT.onnx --report R.json`
  (wall time of the command is "tinyq time s") then `tinyq eval OUT.onnx --card card.json --int8
  --json --data TEST.npz`, for each variant of --variants: "default" (no extra flags),
  "adaround" (`--adaround --val <dataset>_val.npz`: the check that AdaRound does not lose to plain
  rounding; the learned rounding is kept only if the model does better on the validation split)
  and "search" (`--search --val <dataset>_val.npz`: the configuration chosen on a validation split of the
  TRAINING data, datasets/build_splits.py; the test set never takes part in the choice). If a
  command fails, its error goes into the table cell, the PyTorch columns are still produced, and
  the script exits with status 1.
- Paired with PyTorch (classifiers): on the same test samples, how many only tinyq gets right and
  how many only PyTorch gets right, and the exact two-sided McNemar p-value of that split: whether
  a difference in accuracy is larger than two equally accurate models would show by chance.

Calibration data (both sides): <dataset>_calib_1k.npz, 1,000 training samples (datasets/out/, else
the committed datasets/fixtures/ copy), preprocessed with the card's scale/mean/std.
--calib-draws K (K >= 2) repeats the default-settings comparison on K - 1 more calibration sets:
draw d is 1,000 samples of <dataset>_train.npz, stratified by label as datasets/build_splits.py draws
them, with numpy seed DRAW_SEED + d; both quantizers get the same draw. One calibration set is one
random draw, and which samples it holds moves either quantizer's test accuracy by a few tenths of
a point; the per-draw results, their mean and standard deviation, and the count of draws on which
each side is ahead say whether a difference belongs to the quantizer or to the draw.
--split val measures everything on <dataset>_val.npz (training samples outside the committed
calibration set) instead of the test split: for comparing settings without touching the test set.
Metrics: top-1 % for classifiers; ROC AUC of the reconstruction MSE for vibration_ae (as its card).

PyTorch backend: Debian's torch 1.13 has the quantized engines qnnpack and onednn (no fbgemm).
Default: --qconfig x86 (get_default_qconfig_mapping("x86"): per-channel symmetric qint8 weights as in
tinyq's int8 contract; quint8 activations from a HistogramObserver with reduce_range, i.e. 7 bits)
run on the onednn engine. --qconfig qnnpack selects the qnnpack mapping (per-tensor weights, full
8-bit activations) on the qnnpack engine; measured here, per-tensor weights cost fmnist_dscnn ~7 pt
on either engine, and the qnnpack engine computes fmnist_mobilenetv1 at chance (10 %) although the
same qconfig on --engine onednn gives ~90 %, so it is not the default.
PyTorch runs single-threaded (torch.set_num_threads(1)); "tinyq time s" is the wall time of the
quantize command as the CLI runs it by default (process start, model load and calibration included).
"""
import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parents[1]
ZOO = ROOT / "benchmarks" / "zoo"
DATA = Path(os.environ.get("TINYQ_DATASETS", ROOT / "datasets" / "out"))
FIXTURES = ROOT / "datasets" / "fixtures"
sys.path.insert(0, str(ZOO))
sys.path.insert(0, str(ROOT / "datasets"))
import onnx_np  # noqa: E402
from build_splits import CALIB_SAMPLES, stratified  # noqa: E402

MODELS = ["fmnist_dscnn", "fmnist_resnet8", "fmnist_mobilenetv1", "fmnist_teacher", "digits_mlp",
          "kws_dscnn", "vibration_ae"]
CALIB = {d: f"{d}_calib_1k.npz" for d in ("fmnist", "digits", "kws", "vibration")}
VARIANTS = {"default": [], "adaround": ["--adaround", "--val", "VAL"],
            "search": ["--search", "--val", "VAL"]}
DRAW_SEED = 20261203                       # calibration draw d >= 1: seed DRAW_SEED + d
FLOAT_TOL = {"top1": 0.1, "auc": 0.002}   # |re-measured float - card float_metric| on the full set
LEVEL = 1e-9                               # |tinyq - PyTorch| at most this: the same metric
ONNX_TOL = 1e-4                            # max |torch - onnx_np| / max(1, max |onnx_np|)


class TinyqError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------
# data

def card_of(name):
    with open(ZOO / name / "card.json") as f:
        return json.load(f)


def npz(filename):
    for d in (DATA, FIXTURES):
        if (d / filename).exists():
            return d / filename
    raise SystemExit(f"{DATA / filename}: missing; run `bash datasets/build_all.sh` first")


def load_npz(path, limit=None):
    with np.load(path) as z:
        x, y = z["x"], z["y"]
    return (x[:limit], y[:limit]) if limit else (x, y)


def calib_path(card):
    return npz(CALIB[card["dataset"]])


def calib_draw(card, draw, tmp):
    """The path of calibration set number `draw`: 0 is the committed <dataset>_calib_1k.npz, d >= 1
    a stratified draw of 1,000 samples from <dataset>_train.npz (seed DRAW_SEED + d), written
    under tmp."""
    if draw == 0:
        return calib_path(card)
    out = tmp / f"{card['dataset']}_calib_draw{draw}.npz"
    if not out.exists():
        x, y = load_npz(npz(f"{card['dataset']}_train.npz"))
        idx = stratified(y, np.arange(len(y)), CALIB_SAMPLES, DRAW_SEED + draw)
        np.savez(out, x=x[idx], y=y[idx])
    return out


def test_path(card):
    return npz(f"{card['dataset']}_{card['split']}.npz")


def eval_path(card, split):
    """The data the metrics are measured on: the card's test split, or the validation split."""
    return test_path(card) if split == "test" else val_path(card)


def val_path(card):
    return npz(f"{card['dataset']}_val.npz")


def metric(card, outputs, inputs, y):
    """The card's metric from model outputs on preprocessed inputs (as onnx_np.metric)."""
    if card["metric"] == "top1":
        return float(100.0 * np.mean(outputs.argmax(1) == y))
    from sklearn.metrics import roc_auc_score
    n = len(inputs)
    score = np.mean((outputs.reshape(n, -1) - inputs.reshape(n, -1)) ** 2, axis=1)
    return float(roc_auc_score(y, score))


# ---------------------------------------------------------------------------------------------------
# the torch module of a zoo model, weights from its model.onnx

def build_module(name):
    """The untrained nn.Module of benchmarks/zoo/<name>/train.py's build()."""
    spec = importlib.util.spec_from_file_location(f"zoo_train_{name}", ZOO / name / "train.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build().eval()


def _execution_order(model, sample_shape):
    """Conv2d / Linear / BatchNorm modules in the order a forward pass runs them (= ONNX node order)."""
    order, hooks = [], []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear, nn.BatchNorm1d, nn.BatchNorm2d)):
            hooks.append(m.register_forward_hook(lambda mod, i, o: order.append(mod)))
    with torch.no_grad():
        model(torch.zeros((2,) + tuple(sample_shape[1:])))
    for h in hooks:
        h.remove()
    return order


def _set(param, array, what):
    t = torch.from_numpy(np.array(array, dtype=np.float32))
    if tuple(param.shape) != tuple(t.shape):
        raise ValueError(f"{what}: shape {tuple(t.shape)} in ONNX, {tuple(param.shape)} in torch")
    param.data.copy_(t)


def load_onnx_weights(model, onnx_path, sample_shape):
    """Copies the initializers of onnx_path into model, pairing the ONNX Conv/MatMul/Gemm/
    BatchNormalization nodes (graph order) with the torch modules (execution order) and checking that
    op types, attributes and shapes agree. Raises ValueError on any mismatch."""
    g = onnx.load(str(onnx_path)).graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    nodes = [n for n in g.node if n.op_type in ("Conv", "Gemm", "BatchNormalization")
             or (n.op_type == "MatMul" and n.input[1] in inits)]
    mods = _execution_order(model, sample_shape)
    if len(nodes) != len(mods):
        raise ValueError(f"{onnx_path}: {len(nodes)} parameter nodes, torch module has {len(mods)}")
    for node, m in zip(nodes, mods):
        a = {x.name: onnx.helper.get_attribute_value(x) for x in node.attribute}
        ins = [inits[i] if i else None for i in node.input[1:]]
        what = f"{onnx_path}: node {node.name} ({node.op_type}) vs {type(m).__name__}"
        if node.op_type == "Conv" and isinstance(m, nn.Conv2d):
            if a.get("group", 1) != m.groups or list(a.get("strides", [1, 1])) != list(m.stride):
                raise ValueError(f"{what}: group/stride differ")
            _set(m.weight, ins[0], what)
            if (len(ins) > 1 and ins[1] is not None) != (m.bias is not None):
                raise ValueError(f"{what}: bias presence differs")
            if m.bias is not None:
                _set(m.bias, ins[1], what)
        elif node.op_type == "MatMul" and isinstance(m, nn.Linear) and m.bias is None:
            _set(m.weight, ins[0].T, what)
        elif node.op_type == "Gemm" and isinstance(m, nn.Linear):
            if a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0 or a.get("transA", 0):
                raise ValueError(f"{what}: alpha/beta/transA")
            _set(m.weight, ins[0] if a.get("transB", 0) else ins[0].T, what)
            if m.bias is not None:
                _set(m.bias, ins[1], what)
        elif node.op_type == "BatchNormalization" and isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if abs(a.get("epsilon", 1e-5) - m.eps) > 1e-9:
                raise ValueError(f"{what}: epsilon {a.get('epsilon')} vs {m.eps}")
            for p, arr in zip((m.weight, m.bias, m.running_mean, m.running_var), ins[:4]):
                _set(p, arr, what)
        else:
            raise ValueError(f"{what}: op types do not correspond")
    return model


@torch.no_grad()
def predict(model, x, batch=1000):
    return torch.cat([model(torch.from_numpy(x[i:i + batch])) for i in range(0, len(x), batch)]).numpy()


def torch_float_model(name, card, x_check):
    """The zoo model as a float nn.Module, checked against onnx_np on x_check (preprocessed)."""
    onnx_path = ZOO / name / "model.onnx"
    model = load_onnx_weights(build_module(name), onnx_path, card["input"]["shape"])
    ref = onnx_np.Model(str(onnx_path)).run(x_check)
    got = predict(model, x_check)
    err = float(np.max(np.abs(got - ref)) / max(1.0, float(np.max(np.abs(ref)))))
    if err > ONNX_TOL:
        raise ValueError(f"{name}: torch module differs from onnx_np by {err:.2e} (> {ONNX_TOL})")
    return model, err


# ---------------------------------------------------------------------------------------------------
# PyTorch FX post-training static quantization

ENGINE = {"qnnpack": "qnnpack", "x86": "onednn"}


def pytorch_ptq(model, qconfig, engine, x_calib, sample_shape, batch=100):
    """prepare_fx + calibration + convert_fx on a deep copy; returns (quantized module, seconds)."""
    import copy
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = engine
    model = copy.deepcopy(model).eval()
    example = (torch.zeros((1,) + tuple(sample_shape[1:])),)
    t0 = time.perf_counter()
    prepared = prepare_fx(model, get_default_qconfig_mapping(qconfig), example)
    with torch.no_grad():
        for i in range(0, len(x_calib), batch):
            prepared(torch.from_numpy(x_calib[i:i + batch]))
    quantized = convert_fx(prepared)
    return quantized, time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------------
# tinyq (CLI)

def find_tinyq(path):
    if path:
        return Path(path)
    for p in (ROOT / "build" / "tinyq", ROOT / "build" / "src" / "cli" / "tinyq"):
        if p.exists():
            return p
    return ROOT / "build" / "tinyq"


def _run(cmd, timeout=3600):
    try:
        r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise TinyqError(f"`tinyq {cmd[1]}`: {e}")
    if r.returncode != 0:
        # the first message line names the cause (the usage text and progress lines follow it)
        lines = [ln for ln in (r.stderr + r.stdout).splitlines() if ln.strip()
                 and "ETA" not in ln] or ["(no output)"]
        raise TinyqError(f"`tinyq {cmd[1]}` exit {r.returncode}: {lines[0].strip()}")
    return r.stdout


def tinyq_outputs(exe, model, card, x_pre, tmp):
    """Outputs of the int8 model (dequantized) on preprocessed float inputs, via `tinyq run`."""
    shape = (len(x_pre),) + tuple(card["input"]["shape"][1:])
    xin, out_dir = tmp / f"{Path(model).stem}_x.npy", tmp / f"{Path(model).stem}_outputs"
    np.save(xin, np.ascontiguousarray(x_pre.reshape(shape), dtype=np.float32))
    _run([exe, "run", model, "--int8", "--dequantize", "--threads", "2",
          "--input", f"{card['input']['name']}={xin}", "--out", out_dir])
    outs = sorted(out_dir.glob("*.npy"))
    return np.load(outs[0]).reshape(len(x_pre), -1)


def fidelity(card, ref, got):
    """(output SQNR dB vs float, top-1 agreement with float in % or None) of int8 outputs."""
    ref = ref.reshape(len(ref), -1).astype(np.float64)
    got = got.reshape(len(got), -1).astype(np.float64)
    err = float(np.sum((ref - got) ** 2))
    sqnr = float("inf") if err == 0 else 10 * np.log10(float(np.sum(ref ** 2)) / err)
    agree = None
    if card["metric"] != "auc":
        agree = 100.0 * float(np.mean(ref.argmax(1) == got.argmax(1)))
    return sqnr, agree


def paired(card, y, got_a, got_b):
    """Classifiers: the samples only A gets right, only B gets right, and the two-sided exact
    McNemar p-value of that split (a binomial test on the discordant samples, p = 1/2 each): how
    likely a difference at least this large is between two models that are equally accurate."""
    if card["metric"] == "auc":
        return None
    ra, rb = got_a.argmax(1) == y, got_b.argmax(1) == y
    a, b = int(np.sum(ra & ~rb)), int(np.sum(rb & ~ra))
    n, k = a + b, min(a, b)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0 ** n if n else 1.0
    return {"only_a_right": a, "only_b_right": b, "p": min(1.0, 2.0 * tail)}


def tinyq_ptq(exe, name, card, test_npz, tmp, extra=(), tag="default", calib=None):
    """Quantizes with the tinyq CLI (calibration set `calib`, default the committed one) and
    evaluates the int8 model; returns (metric, seconds, path, report). Raises TinyqError with the
    command's last error line when a command fails."""
    d = ZOO / name
    out, report = tmp / f"{name}_{tag}_int8.onnx", tmp / f"{name}_{tag}_report.json"
    t0 = time.perf_counter()
    _run([exe, "quantize", d / "model.onnx", "--calib", calib or calib_path(card),
          "--card", d / "card.json", "-o", out, "--report", report, *extra])
    seconds = time.perf_counter() - t0
    stdout = _run([exe, "eval", out, "--card", d / "card.json", "--int8", "--json",
                   "--data", test_npz])
    try:
        value = json.loads(stdout)["eval"]["value"]
    except (ValueError, KeyError) as e:
        raise TinyqError(f"`tinyq eval --json`: no value in output ({e})")
    return float(value), seconds, out, json.loads(report.read_text())


# ---------------------------------------------------------------------------------------------------

def fmt(card, v):
    if isinstance(v, str):
        return v.replace("|", "\\|")
    return f"{v:.4f}" if card["metric"] == "auc" else f"{v:.2f}"


def bench_model(name, args, tmp):
    card = card_of(name)
    pre = card["preprocess"]
    x_all, y_all = load_npz(eval_path(card, args.split))
    full = not args.limit or args.limit >= len(y_all)
    x_test, y_test = (x_all, y_all) if full else (x_all[:args.limit], y_all[:args.limit])
    x_test = onnx_np.preprocess(x_test, pre)
    x_calib = onnx_np.preprocess(load_npz(calib_path(card))[0], pre)
    row = {"model": name, "metric": card["metric"], "card_float": card["float_metric"],
           "split": args.split, "test_samples": int(len(y_test)), "full_test_set": full,
           "calib_samples": int(len(x_calib)),
           "calib": calib_path(card).name, "qconfig": args.qconfig, "engine": args.engine}

    model, err = torch_float_model(name, card, x_test[:8])
    row["torch_vs_onnx_np"] = err
    float_out = predict(model, x_test)
    row["float"] = metric(card, float_out, x_test, y_test)
    if full and args.split == "test":   # the card's float_metric is on the test split
        row["float_matches_card"] = abs(row["float"] - card["float_metric"]) <= FLOAT_TOL[card["metric"]]

    qmodel, row["pytorch_time_s"] = pytorch_ptq(model, args.qconfig, args.engine, x_calib,
                                                        card["input"]["shape"])
    torch_out = predict(qmodel, x_test)
    row["pytorch_int8"] = metric(card, torch_out, x_test, y_test)
    row["pytorch_sqnr_db"], row["pytorch_agree"] = fidelity(card, float_out, torch_out)

    if args.no_tinyq:
        row["tinyq_error"] = "skipped (--no-tinyq)"
        return row, card
    limited = eval_path(card, args.split)
    if not full:
        limited = tmp / f"{name}_test_{args.limit}.npz"
        np.savez(limited, x=x_all[:args.limit], y=y_all[:args.limit])
    for variant in args.variants:
        # keys: tinyq_int8, tinyq_time_s, ... for "default"; tinyq_<variant>_int8, ... otherwise
        key = "tinyq" if variant == "default" else f"tinyq_{variant}"
        extra = [str(val_path(card)) if a == "VAL" else a for a in VARIANTS[variant]]
        try:
            row[key + "_int8"], row[key + "_time_s"], qpath, rep = tinyq_ptq(
                args.exe, name, card, limited, tmp, args.tinyq_args.split() + extra, variant)
            tinyq_out = tinyq_outputs(args.exe, qpath, card, x_test, tmp)
            row[key + "_sqnr_db"], row[key + "_agree"] = fidelity(card, float_out, tinyq_out)
            row[key + "_vs_pytorch"] = paired(card, y_test, tinyq_out, torch_out)
            if variant == "search":
                chosen = [c for c in rep["quantize"]["search"] if c["chosen"]]
                row[key + "_config"] = chosen[0]["config"]
                row[key + "_candidates"] = rep["quantize"]["search"]
            if variant == "adaround":
                row[key + "_kept"] = bool(rep["quantize"]["adaround_guard"]["kept"])
        except TinyqError as e:
            row[key + "_error"] = str(e)
    if args.calib_draws > 1:
        row["draws"] = calib_draws(name, card, args, tmp, model, (x_test, y_test, limited), row)
        row["draws_summary"] = summarize_draws(row["draws"])
    return row, card


def calib_draws(name, card, args, tmp, model, test, row):
    """Default-settings tinyq and PyTorch on calibration draws 0 .. K-1 (draw 0 is the default
    variant measured above): [{draw, calib, tinyq_int8, pytorch_int8, tinyq_vs_pytorch}], with
    tinyq_error instead when tinyq fails on a draw."""
    x_test, y_test, test_npz = test
    draws = [{"draw": 0, "calib": calib_path(card).name, "pytorch_int8": row["pytorch_int8"]}]
    if "tinyq_error" in row:
        draws[0]["tinyq_error"] = row["tinyq_error"]
    else:
        draws[0].update(tinyq_int8=row["tinyq_int8"], tinyq_vs_pytorch=row["tinyq_vs_pytorch"])
    for d in range(1, args.calib_draws):
        path = calib_draw(card, d, tmp)
        entry = {"draw": d, "calib": f"seed {DRAW_SEED + d}"}
        x_cal = onnx_np.preprocess(load_npz(path)[0], card["preprocess"])
        qmodel, _ = pytorch_ptq(model, args.qconfig, args.engine, x_cal, card["input"]["shape"])
        torch_out = predict(qmodel, x_test)
        entry["pytorch_int8"] = metric(card, torch_out, x_test, y_test)
        try:
            entry["tinyq_int8"], _, qpath, _ = tinyq_ptq(
                args.exe, name, card, test_npz, tmp, args.tinyq_args.split(), f"draw{d}", path)
            entry["tinyq_vs_pytorch"] = paired(
                card, y_test, tinyq_outputs(args.exe, qpath, card, x_test, tmp), torch_out)
        except TinyqError as e:
            entry["tinyq_error"] = str(e)
        draws.append(entry)
        print(f"{name}: calibration draw {d} ({entry['calib']}): PyTorch "
              f"{fmt(card, entry['pytorch_int8'])}, tinyq "
              f"{fmt(card, entry.get('tinyq_int8', entry.get('tinyq_error', '')))}", file=sys.stderr)
    return draws


def summarize_draws(draws):
    """Mean and sample standard deviation of each side over the draws tinyq completed, the mean
    difference tinyq - PyTorch, and on how many draws tinyq is ahead, level or behind."""
    ok = [e for e in draws if "tinyq_int8" in e]
    if not ok:
        return None
    t = np.array([e["tinyq_int8"] for e in ok])
    p = np.array([e["pytorch_int8"] for e in ok])
    sd = (lambda a: float(np.std(a, ddof=1)) if len(a) > 1 else 0.0)
    return {"draws": len(ok), "tinyq_mean": float(t.mean()), "tinyq_sd": sd(t),
            "pytorch_mean": float(p.mean()), "pytorch_sd": sd(p),
            "mean_difference": float((t - p).mean()),
            "tinyq_ahead": int(np.sum(t > p + LEVEL)), "level": int(np.sum(np.abs(t - p) <= LEVEL)),
            "pytorch_ahead": int(np.sum(t < p - LEVEL))}


PREFIX = {"default": "tinyq", "adaround": "tinyq_adaround", "search": "tinyq_search",
          "pytorch": "pytorch"}


def cell(r, card, variant, key="int8", f=None):
    """A table cell: the variant's value, its error, or a dash."""
    p = PREFIX[variant]
    if r.get(f"{p}_{key}") is not None:
        v = r[f"{p}_{key}"]
        return fmt(card, v) if f is None else f.format(v)
    if key == "int8" and f"{p}_error" in r:
        return fmt(card, r[f"{p}_error"])
    return "—"


def table(rows_cards, variants):
    """Markdown: accuracy and time of each tinyq variant and PyTorch, then fidelity to float."""
    names = {"default": "tinyq int8 default", "adaround": "tinyq int8 AdaRound",
             "search": "tinyq int8 searched (chosen on val)"}
    shown = [v for v in ("default", "search", "adaround") if v in variants]
    head = (["model", "float"] + [names[v] for v in shown] + ["PyTorch int8"] +
            [f"{names[v].split(' (')[0]} time s" for v in shown] + ["PyTorch time s"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r, card in rows_cards:
        cells = [f"{r['model']} ({r['metric']})", fmt(card, r["float"])]
        for v in shown:
            c = cell(r, card, v)
            if v == "search" and r.get("tinyq_search_config"):
                c += f" ({r['tinyq_search_config']})"
            if v == "adaround" and r.get("tinyq_adaround_kept") is not None:
                c += " (kept)" if r["tinyq_adaround_kept"] else " (undone: nearest)"
            cells.append(c)
        cells.append(fmt(card, r["pytorch_int8"]))
        cells += [cell(r, card, v, "time_s", "{:.2f}") for v in shown]
        cells.append(f"{r['pytorch_time_s']:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    both = shown + ["pytorch"]
    lines += ["", "| model | output SQNR dB " + " / ".join(both) + " | top-1 agreement with float % "
              + " / ".join(both) + " |", "|---|---|---|"]
    for r, card in rows_cards:
        sq = " / ".join(cell(r, card, v, "sqnr_db", "{:.1f}") for v in both)
        ag = " / ".join(cell(r, card, v, "agree", "{:.2f}") for v in both)
        lines.append(f"| {r['model']} | {sq} | {ag} |")
    split = rows_cards[0][0].get("split", "test") if rows_cards else "test"
    lines += ["", f"Paired with PyTorch on the same {split} samples (classifiers): samples only tinyq "
              "gets right / only PyTorch gets right, and the exact McNemar p-value (two-sided; "
              "a small p means the accuracies really differ)", "",
              "| model | " + " | ".join(names[v].split(" (")[0] for v in shown) + " |",
              "|---|" + "---|" * len(shown)]
    for r, card in rows_cards:
        if card["metric"] == "auc":
            continue
        cells = []
        for v in shown:
            c = r.get(f"{PREFIX[v]}_vs_pytorch")
            cells.append(f"{c['only_a_right']} / {c['only_b_right']}, p = {c['p']:.2g}" if c
                         else "—")
        lines.append(f"| {r['model']} | " + " | ".join(cells) + " |")
    if any(r.get("draws") for r, _ in rows_cards):
        lines += ["", draws_table(rows_cards)]
    return "\n".join(lines) + "\n"


def draws_table(rows_cards):
    """Markdown: default-settings tinyq and PyTorch on every calibration draw, then mean +- sd."""
    k = max(len(r.get("draws") or []) for r, _ in rows_cards)
    lines = [f"Default settings on {k} calibration draws of 1,000 training samples (draw 0 is the "
             f"committed calibration set; draw d ≥ 1 is stratified with seed {DRAW_SEED} + d), "
             "tinyq / PyTorch on each, then the mean ± sample standard deviation over the draws and "
             "the draws on which tinyq is ahead / level / behind.", "",
             "| model | " + " | ".join(f"draw {d}" for d in range(k)) +
             " | tinyq mean | PyTorch mean | tinyq - PyTorch | ahead / level / behind |",
             "|---|" + "---|" * (k + 4)]
    for r, card in rows_cards:
        if not r.get("draws"):
            continue
        cells = [f"{fmt(card, e.get('tinyq_int8', e.get('tinyq_error', '')))} / "
                 f"{fmt(card, e['pytorch_int8'])}" for e in r["draws"]]
        cells += ["—"] * (k - len(cells))
        m = r.get("draws_summary")
        if m:
            diff = m["mean_difference"]
            cells += [f"{fmt(card, m['tinyq_mean'])} ± {fmt(card, m['tinyq_sd'])}",
                      f"{fmt(card, m['pytorch_mean'])} ± {fmt(card, m['pytorch_sd'])}",
                      ("+" if diff >= 0 else "") + fmt(card, diff),
                      f"{m['tinyq_ahead']} / {m['level']} / {m['pytorch_ahead']}"]
        else:
            cells += ["—"] * 4
        lines.append(f"| {r['model']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated subset")
    ap.add_argument("--limit", type=int, default=0, help="evaluate on the first N test samples only")
    ap.add_argument("--tinyq", default=None, help="tinyq CLI (default build/tinyq or build/src/cli/tinyq)")
    ap.add_argument("--no-tinyq", action="store_true", help="PyTorch columns only")
    ap.add_argument("--tinyq-args", default="",
                    help="extra `tinyq quantize` flags for every variant, e.g. \"--bias-correction\"")
    ap.add_argument("--variants", default="default,adaround,search",
                    help="tinyq runs: default (no flags), adaround (--adaround), search "
                         "(--search --val <dataset>_val.npz)")
    ap.add_argument("--qconfig", choices=sorted(ENGINE), default="x86",
                    help="PyTorch qconfig mapping (default x86: per-channel weights)")
    ap.add_argument("--engine", choices=("onednn", "qnnpack"), default=None,
                    help="quantized engine (default: onednn for x86, qnnpack for qnnpack)")
    ap.add_argument("--split", choices=("test", "val"), default="test",
                    help="evaluate on the test split (default) or on <dataset>_val.npz, training "
                         "samples held out from calibration: for choosing settings without the test set")
    ap.add_argument("--calib-draws", type=int, default=1, metavar="K",
                    help="also compare the default settings on K - 1 more stratified 1,000-sample "
                         "calibration draws from the training split (default 1: the committed set only)")
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    ap.add_argument("--json", default=None, help="write every measurement as JSON here")
    args = ap.parse_args()
    args.exe = find_tinyq(args.tinyq)
    args.engine = args.engine or ENGINE[args.qconfig]
    args.variants = [v for v in args.variants.split(",") if v]
    if set(args.variants) - set(VARIANTS) or not args.variants:
        ap.error(f"--variants: choose among {sorted(VARIANTS)}")
    if args.calib_draws < 1:
        ap.error("--calib-draws: at least 1")
    if args.calib_draws > 1 and "default" not in args.variants:
        ap.error("--calib-draws compares the default settings: keep `default` in --variants")
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", message=".*reduce_range will be deprecated.*")
    models = [m for m in args.models.split(",") if m]
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        ap.error(f"unknown models {unknown}; known: {MODELS}")

    for name in models if args.split == "val" else ():
        card = card_of(name)
        if card["metric"] == "auc" and len(np.unique(load_npz(val_path(card))[1])) < 2:
            ap.error(f"--split val: {val_path(card).name} has one class only, so {name}'s AUC is "
                     "undefined there; leave it out of --models")
    rows, failed = [], False
    with tempfile.TemporaryDirectory(prefix="ptq_vs_pytorch_") as tmp:
        for name in models:
            row, card = bench_model(name, args, Path(tmp))
            rows.append((row, card))
            tq = ", ".join(f"{v} {cell(row, card, v)}" for v in args.variants)
            print(f"{name}: float {fmt(card, row['float'])} (card {card['float_metric']}), "
                  f"PyTorch int8 {fmt(card, row['pytorch_int8'])} in {row['pytorch_time_s']:.2f} s, "
                  f"tinyq {tq}", file=sys.stderr)
            if not row.get("float_matches_card", True):
                print(f"{name}: re-measured float {row['float']} != card {card['float_metric']}",
                      file=sys.stderr)
                failed = True
            if any(k.endswith("_error") and k.startswith("tinyq") for k in row) and not args.no_tinyq:
                failed = True
    md = (f"PyTorch {torch.__version__} FX PTQ, qconfig `{args.qconfig}` on engine "
          f"`{args.engine}`; {'full ' + args.split + ' sets' if all(r['full_test_set'] for r, _ in rows) else 'first %d %s samples' % (args.limit, args.split)}"
          f"; metric top-1 % (AUC for vibration_ae); calibration: 1,000 training samples\n\n"
          + table(rows, args.variants))
    print(md, end="")
    if args.out:
        Path(args.out).write_text(md)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "torch": torch.__version__, "qconfig": args.qconfig, "engine": args.engine,
            "tinyq": str(args.exe), "limit": args.limit, "variants": args.variants,
            "calib_draws": args.calib_draws, "draw_seed": DRAW_SEED, "split": args.split,
            "rows": [r for r, _ in rows]}, indent=2) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
