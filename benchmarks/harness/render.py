"""RESULTS.md from the harness's result dict (the JSON twin holds every number shown here)."""
import benchlib

CONV_NETS = ["fmnist_dscnn", "fmnist_resnet8", "fmnist_mobilenetv1", "fmnist_teacher", "kws_dscnn"]
DASH = "—"


def _get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _num(v, f="{:.3f}"):
    return DASH if v is None else f.format(v)


def _metric(card_metric, v):
    if v is None:
        return DASH
    if isinstance(v, str):
        return v.replace("|", "\\|")
    return f"{v:.4f}" if card_metric == "auc" else f"{v:.2f}"


def _err(d):
    e = d.get("error") if isinstance(d, dict) else None
    return None if e is None else "error: " + str(e).replace("|", "\\|")[:120]


def _ms(entry, key="median_ms"):
    return _err(entry) or _num(_get(entry, key), "{:.3f}")


def _ratio(a, b, key="median_ms"):
    return benchlib.ratio(_get(a, key), _get(b, key))


def _table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _verdict(ok):
    return DASH if ok is None else ("holds" if ok else "**does not hold**")


def targets(res):
    """[(target, measured, verdict)] for the issue's four targets."""
    models = res["models"]
    out = []

    def worst(key_a, key_b, names):
        rs = [(benchlib.ratio(_get(models.get(m), "latency", key_a, "median_ms"),
                            _get(models.get(m), "latency", key_b, "median_ms")), m) for m in names]
        rs = [(r, m) for r, m in rs if r is not None]
        return rs

    for label, a, b, limit in (("tinyq int8 latency ≤ 1.0× ONNX Runtime on the QDQ model, "
                                "every zoo model", "tinyq_int8", "ort_qdq", 1.0),
                               ("tinyq float latency ≤ 1.5× ONNX Runtime float (zoo)",
                                "tinyq_float", "ort_float", 1.5)):
        rs = worst(a, b, models)
        if not rs:
            out.append((label, "not measured", DASH))
            continue
        over = [f"{m} {r:.2f}" for r, m in sorted(rs, reverse=True) if r > limit]
        r, m = max(rs)
        text = f"worst {m} {r:.2f}×" + (f"; over: {', '.join(over)}" if over else "")
        out.append((label, text, _verdict(not over)))
    rs = []
    for m, row in models.items():
        t, p = _get(row, "shrink", "tinyq", "seconds"), _get(row, "shrink", "pytorch", "seconds")
        if t is not None and p is not None:
            rs.append((t / p, m))
    if rs:
        over = [f"{m} {r:.2f}" for r, m in sorted(rs, reverse=True) if r > 0.5]
        r, m = max(rs)
        out.append(("`tinyq shrink` end to end ≤ 0.5× PyTorch PTQ + evaluation",
                    f"worst {m} {r:.2f}×" + (f"; over: {', '.join(over)}" if over else ""),
                    _verdict(not over)))
    rs = [(_get(models.get(m), "footprint", "macs_per_instruction"), m) for m in CONV_NETS
          if m in models]
    rs = [(v, m) for v, m in rs if v is not None]
    if rs:
        under = [f"{m} {v:.3f}" for v, m in sorted(rs) if v < 0.3]
        v, m = min(rs)
        out.append(("≥ 0.3 MACs per instruction for conv nets on the emulated Cortex-M4",
                    f"lowest {m} {v:.3f}" + (f"; under: {', '.join(under)}" if under else ""),
                    _verdict(not under)))
    return out


def _accuracy(res):
    rows = []
    for m, row in res["models"].items():
        a = row.get("accuracy") or {}
        if not a:
            continue
        kind = a.get("metric", "top1")
        best = a.get("tinyq_search_int8", a.get("tinyq_search_error"))
        cfg = a.get("tinyq_search_config")
        rows.append([f"{m} ({kind})", _metric(kind, a.get("float")),
                     _metric(kind, a.get("tinyq_int8", a.get("tinyq_error"))),
                     _metric(kind, best) + (f" (`{cfg}`)" if cfg else ""),
                     _metric(kind, a.get("pytorch_int8")),
                     _metric(kind, row.get("ort_qdq_metric")),
                     _paired(a.get("tinyq_vs_pytorch")),
                     f"{a.get('test_samples', DASH)} / {a.get('calib_samples', DASH)}"])
    return rows


def _paired(c):
    """Samples only tinyq gets right / only PyTorch gets right, and the McNemar p-value."""
    if not c:
        return DASH
    return f"{c['only_a_right']} / {c['only_b_right']} (p = {c['p']:.2g})"


def _quantize_time(res):
    rows = []
    for m, row in res["models"].items():
        a = row.get("accuracy") or {}
        t, p = a.get("tinyq_time_s"), a.get("pytorch_time_s")
        if p is None:
            continue
        rows.append([m, a.get("calib_samples", DASH), _num(t, "{:.2f}"), _num(p, "{:.2f}"),
                     _num(benchlib.ratio(t, p), "{:.2f}")])
    return rows


def _latency(res, key):
    rows = []
    for m, row in res["models"].items():
        lat = row.get("latency")
        if not lat:
            continue
        g = {k: lat.get(k, {}) for k in ("tinyq_float", "ort_float", "tinyq_int8", "ort_qdq",
                                         "pytorch_float", "pytorch_int8")}
        rows.append([m] + [_ms(g[k], key) for k in g] + [
            _num(_ratio(g["tinyq_float"], g["ort_float"], key), "**{:.2f}**"),
            _num(_ratio(g["tinyq_int8"], g["ort_qdq"], key), "**{:.2f}**"),
            _num(_ratio(g["tinyq_float"], g["pytorch_float"], key), "{:.2f}"),
            _num(_ratio(g["tinyq_int8"], g["pytorch_int8"], key), "{:.2f}")])
    return rows


def _throughput(res):
    rows = []
    for m, row in res["models"].items():
        t = row.get("throughput")
        if not t:
            continue
        cells = [m, _get(t, "tinyq_float", "samples") or DASH]
        for k in ("tinyq_float", "ort_float", "tinyq_int8", "ort_qdq", "pytorch_float",
                  "pytorch_int8"):
            cells.append(_err(t.get(k)) or _num(_get(t, k, "samples_per_s"), "{:,.0f}"))
        sp = lambda k: _get(t, k, "samples_per_s")  # noqa: E731
        cells += [_num(benchlib.ratio(sp("ort_float"), sp("tinyq_float")), "**{:.2f}**"),
                  _num(benchlib.ratio(sp("ort_qdq"), sp("tinyq_int8")), "**{:.2f}**")]
        rows.append(cells)
    return rows


def _shrink(res):
    rows = []
    for m, row in res["models"].items():
        s = row.get("shrink")
        if not s:
            continue
        t, p = s.get("tinyq", {}), s.get("pytorch", {})
        stages = ", ".join(f"{k} {v:.1f}" for k, v in (t.get("stages") or {}).items())
        pst = ", ".join(f"{k} {v:.1f}" for k, v in (p.get("stages") or {}).items())
        rows.append([m, s.get("test_samples", DASH), _err(t) or _num(t.get("seconds"), "{:.2f}"),
                     _err(p) or _num(p.get("seconds"), "{:.2f}"),
                     _num(benchlib.ratio(t.get("seconds"), p.get("seconds")), "**{:.2f}**"),
                     stages or DASH, pst or DASH])
    return rows


def _footprint(res):
    rows, m4 = [], []
    for m, row in res["models"].items():
        f = row.get("footprint")
        if not f:
            continue
        if _err(f):
            rows.append([m, _err(f)] + [DASH] * 6)
            continue
        raw = (f.get("int8_weight_bytes") or 0) + (f.get("int32_bias_bytes") or 0)
        rows.append([m, f"{raw:,} ({f.get('int8_weight_bytes', 0):,} + {f.get('int32_bias_bytes', 0):,})",
                     _num(f.get("flash_total_bytes"), "{:,}") + (
                         f" ({f['flash_weights_bytes']:,} + {f['flash_code_bytes']:,})"
                         if "flash_weights_bytes" in f else ""),
                     _num(f.get("arena_bytes"), "{:,}"), _num(f.get("lower_bound_bytes"), "{:,}"),
                     _num(f.get("greedy_bytes"), "{:,}"),
                     _num(benchlib.ratio(f.get("arena_bytes"), f.get("greedy_bytes")), "{:.2f}"),
                     f.get("export_error") or f.get("budget_error") or ""])
        m4.append([m, _num(f.get("macs"), "{:,}"), _num(f.get("instructions"), "{:,}"),
                   _num(f.get("macs_per_instruction"), "{:.3f}"),
                   "conv" if m in CONV_NETS else "MLP"])
    return rows, m4


def _torchvision(res):
    rows = []
    for m, r in (res.get("torchvision") or {}).items():
        if _err(r):
            rows.append([m, _err(r), DASH, DASH, DASH])
            continue
        a, b = r["tinyq_float"], r["ort_float"]
        rows.append([m, _ms(a), _ms(b), _num(_ratio(a, b), "**{:.2f}**"),
                     _num(_ratio(a, b, "median_cpu_ms"), "{:.2f}")])
    return rows


def markdown(res):
    s, mach, ver = res["settings"], res["machine"], res["versions"]
    lines = [
        "# tinyq against its peers",
        "",
        f"Generated by `{res['command'].strip()}` on {res['date']} in {res['seconds'] / 60:.1f} min "
        "(the JSON twin, `RESULTS.json`, has every number and error).",
        "",
        f"- **Machine:** {mach['cpu']}, {mach['cores']} cores, {mach['os']}; load average at the "
        f"start {mach['load_average_at_start']} (a shared machine: wall times are noisy, CPU "
        "times less so).",
        f"- **Versions:** tinyq {ver['tinyq']}; ONNX Runtime {ver['onnxruntime']} (npm "
        f"onnxruntime-node, node {ver['node']}); PyTorch {ver['torch']}; numpy {ver['numpy']}; "
        f"Python {ver['python']}; {ver['gcc']}; {ver['arm_none_eabi_gcc']}; {ver['qemu']}.",
        f"- **Threads:** latency {s['latency_threads']} thread everywhere (tinyq `Model.run(..., "
        "threads=1)`, ORT intra_op = inter_op = 1, `torch.set_num_threads(1)`); throughput "
        f"{s['throughput_threads']} threads (tinyq `threads=2`, ORT intra_op = 2, torch 2); "
        f"shrink {s['shrink_threads']} threads on both sides; quantization time: PyTorch 1 thread, "
        "tinyq its default (all cores).",
        f"- **Runs:** latency = median of {s['latency_runs']} calls after {s['warmup']} warm-up "
        "calls, batch 1; " + (f"test sets limited to the first {s['test_limit']} samples "
                              "(`--quick`: not a result to quote)." if s["test_limit"] else
                              "full test sets."),
        "",
        "## Targets (issue 8; ratios tinyq ÷ peer from this run)",
        "",
        _table(["target", "measured", "verdict"], targets(res)),
    ]
    acc = res.get("accuracy") or {}
    if _accuracy(res):
        lines += ["## Accuracy", "",
                  f"`{acc.get('command', '')}`: {acc.get('note', '')}. PyTorch FX PTQ qconfig "
                  f"`{acc.get('qconfig')}` on `{acc.get('engine')}`, the same calibration samples "
                  "as tinyq. ORT on QDQ: ONNX Runtime running tinyq's default int8 QDQ export "
                  "(int8 I/O) on the same test set (throughput pass). Top-1 % (AUC for "
                  "vibration_ae). Paired: on the same test samples, how many only tinyq's default "
                  "int8 model gets right / only PyTorch's, and the exact two-sided McNemar "
                  "p-value (the chance of a split at least this uneven between two equally "
                  "accurate models).", "",
                  _table(["model", "float", "tinyq int8 default", "tinyq int8 best (searched)",
                          "PyTorch FX int8", "ORT on tinyq QDQ", "tinyq vs PyTorch, paired",
                          "test / calib samples"],
                         _accuracy(res))]
    draws = [(row["accuracy"], {"metric": row["accuracy"].get("metric", "top1")})
             for row in res["models"].values() if (row.get("accuracy") or {}).get("draws")]
    if draws:
        lines += ["### The default settings on several calibration draws", "",
                  benchlib.ptq.draws_table(draws), "",
                  "A calibration set is one random draw of training samples; the draws show "
                  "whether a difference of a few test samples follows the quantizer or the draw.", ""]
    if _quantize_time(res):
        lines += ["## Time to quantize", "",
                  "Calibrate + convert, wall seconds: tinyq = the whole `tinyq quantize` process "
                  "(start, load, calibrate, quantize, write); PyTorch = prepare_fx + calibration + "
                  "convert_fx in-process, 1 thread.", "",
                  _table(["model", "calib samples", "tinyq s", "PyTorch s", "tinyq ÷ PyTorch"],
                         _quantize_time(res))]
    if _latency(res, "median_ms"):
        head = ["model", "tinyq float", "ORT float", "tinyq int8", "ORT QDQ", "PyTorch float",
                "PyTorch int8", "float tinyq÷ORT", "int8 tinyq÷ORT", "float tinyq÷PyTorch",
                "int8 tinyq÷PyTorch"]
        lines += ["## Latency, batch 1, 1 thread (ms)", "",
                  "Median wall time per call:", "", _table(head, _latency(res, "median_ms")),
                  "Median CPU time per call (tinyq, PyTorch: the calling thread; ORT: its process):",
                  "", _table(head, _latency(res, "median_cpu_ms"))]
    b = res.get("binding")
    if b:
        lines += ["Per-call cost of each front end (a one-node Relu model, median wall ms): "
                  f"tinyq Python {_ms(b.get('tinyq'))}, ORT Node.js {_ms(b.get('ort'))}, "
                  f"PyTorch {_ms(b.get('pytorch'))}.", ""]
    if _throughput(res):
        lines += ["## Throughput over the test set, 2 threads (samples/s)", "",
                  "tinyq runs batch-1 inferences spread over 2 threads; ORT float and PyTorch get "
                  "batches of 100 (their models have a dynamic batch axis) with 2 intra-op "
                  "threads; ORT QDQ runs tinyq's export, whose batch is 1. Ratios are time "
                  "tinyq ÷ peer (peer samples/s ÷ tinyq samples/s).", "",
                  _table(["model", "samples", "tinyq float", "ORT float", "tinyq int8", "ORT QDQ",
                          "PyTorch float", "PyTorch int8", "float tinyq÷ORT", "int8 tinyq÷ORT"],
                         _throughput(res))]
    if _shrink(res):
        lines += ["## `tinyq shrink` end to end vs PyTorch PTQ + evaluation (s)", "",
                  "tinyq: the `tinyq shrink MODEL --data TEST --calib CALIB --card C -o DIR` "
                  "process (load, optimize, calibrate + quantize, evaluate float and int8, export "
                  "ONNX and C, reports; no board build). PyTorch: read + preprocess the data, "
                  "build the module and load the ONNX weights, prepare_fx + calibrate + "
                  "convert_fx, evaluate float and int8 on the test set. Both 2 threads.", "",
                  _table(["model", "test samples", "tinyq s", "PyTorch s", "tinyq ÷ PyTorch",
                          "tinyq stages s", "PyTorch stages s"], _shrink(res))]
    fp, m4 = _footprint(res)
    if fp:
        lines += ["## Footprint of the int8 model (NUCLEO-L4R5ZI build, bytes)", "",
                  "raw = int8 weights + int32 biases of the QDQ model; flash = cross-built "
                  "weights + code (`tinyq budget`); arena = tinyq's plan, lower bound = the "
                  "largest live set, greedy = TFLM's size-ordered first-fit planner on the same "
                  "lifetimes (`tinyq export --json`).", "",
                  _table(["model", "raw params (weights + bias)", "flash (weights + code)",
                          "arena", "lower bound", "TFLM greedy", "arena ÷ greedy", "errors"], fp),
                  "## Emulated Cortex-M4 (qemu mps2-an386, arm-none-eabi-gcc -Os, portable C)", "",
                  _table(["model", "MACs", "instructions / inference", "MACs / instruction",
                          "kind"], m4)]
    if _torchvision(res):
        lines += ["## Float latency on torchvision architectures (1×3×64×64, batch 1, 1 thread, "
                  "ms)", "", _table(["model", "tinyq float", "ORT float", "tinyq ÷ ORT (wall)",
                                     "tinyq ÷ ORT (CPU)"], _torchvision(res))]
    return "\n".join(lines)
