"""Executor speed: batch-1 latency with one thread, and throughput over the test set with two.

Every runtime is timed through its own scripting front end, the way a user calls it: tinyq
through its Python binding (`Model.run`, pybind11), ONNX Runtime through its Node.js binding
(benchmarks/ort/run.js, onnxruntime-node), PyTorch through Python. Each latency is the median of
`runs` calls after 20 warm-up calls, wall time and CPU time of the calling thread (ORT: of its
process); the per-call cost of each front end on a one-node model is measured too ("binding").
int8 inputs: tinyq and ORT get the int8 tensor of tinyq's QDQ model (quantized once, outside the
timing); PyTorch's FX int8 module takes float input and quantizes inside.
"""
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import benchlib
import tinyq

THROUGHPUT_THREADS = 2
BATCH = 100  # rows per call for the runtimes that take batches (ORT float, PyTorch)


def _tinyq_model(path):
    m = tinyq.load(path)
    name = next(iter(m.inputs))
    return m, name


def _int8_input(qmodel, name, x):
    scale, zp = qmodel.input_quant[name]
    return benchlib.quantize_input(x, scale, zp)


def _ort_latency(path, name, x, runs, tmp):
    r = benchlib.ort(path, {name: x}, tmp, "--threads", 1, "--time", runs)
    return {"median_ms": r["median_ms"], "min_ms": r["min_ms"],
            "median_cpu_ms": r["median_cpu_ms"], "runs": r["runs"]}


def _torch_latency(module, x, runs):
    xt = torch.from_numpy(x)
    with torch.no_grad():
        return benchlib.time_calls(lambda: module(xt), runs)


def latency(art, runs):
    """{runtime: {median_ms, min_ms, median_cpu_ms, runs} or {"error"}} for batch 1, 1 thread."""
    x = art.batch_of(benchlib.preprocess(benchlib.test_data(art.card, 1)[0], art.card))
    out = {}
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="tinyq_bench_") as tmp:
        def attempt(key, fn):
            try:
                out[key] = fn()
            except (benchlib.HarnessError, tinyq.Error, RuntimeError, KeyError) as e:
                out[key] = {"error": str(e)}

        m, name = _tinyq_model(art.float_onnx)
        attempt("tinyq_float", lambda: benchlib.time_calls(lambda: m.run({name: x}, threads=1), runs))
        attempt("ort_float", lambda: _ort_latency(art.float_onnx, name, x, runs, tmp))
        if art.int8_onnx:
            q, qname = _tinyq_model(art.int8_onnx)
            xq = _int8_input(q, qname, x)
            attempt("tinyq_int8",
                    lambda: benchlib.time_calls(lambda: q.run({qname: xq}, threads=1), runs))
            attempt("ort_qdq", lambda: _ort_latency(art.int8_onnx, qname, xq, runs, tmp))
        if art.torch_float is not None:
            attempt("pytorch_float", lambda: _torch_latency(art.torch_float, x, runs))
            attempt("pytorch_int8", lambda: _torch_latency(art.torch_int8, x, runs))
    for entry in out.values():
        entry["threads"] = 1
    return out


def _samples_per_s(n, seconds):
    return {"samples": n, "seconds": seconds, "samples_per_s": n / seconds}


def _tinyq_throughput(path, name, xs):
    m = tinyq.load(path)
    m.run({name: xs[:4 * THROUGHPUT_THREADS]}, threads=THROUGHPUT_THREADS)  # prepares the workers
    t0 = time.perf_counter()
    outs = m.run({name: xs}, threads=THROUGHPUT_THREADS)
    r = _samples_per_s(len(xs), time.perf_counter() - t0)
    r["batch"] = "1 per run, runs spread over the threads (Executor::RunBatch)"
    return r, outs[m.outputs[0]]


def _ort_throughput(path, name, xs, batch, tmp):
    out_dir = f"{tmp}/ort_out"
    r = benchlib.ort(path, {name: xs}, tmp, "--threads", THROUGHPUT_THREADS, "--batch", batch,
                   "--out", out_dir)
    res = _samples_per_s(r["samples"], r["total_ms"] / 1e3)
    res["batch"] = batch
    outs = sorted(Path(out_dir).glob("*.npy"))
    return res, np.load(outs[0])


def _torch_throughput(module, xs):
    torch.set_num_threads(THROUGHPUT_THREADS)
    with torch.no_grad():
        module(torch.from_numpy(xs[:BATCH]))
        t0 = time.perf_counter()
        outs = [module(torch.from_numpy(xs[i:i + BATCH])) for i in range(0, len(xs), BATCH)]
        r = _samples_per_s(len(xs), time.perf_counter() - t0)
    r["batch"] = BATCH
    return r, torch.cat(outs).numpy()


def throughput(art, limit):
    """Samples per second over the test set with 2 threads per runtime, plus the metric of ONNX
    Runtime running tinyq's QDQ export (from the same pass). Returns (rows, ort_qdq_metric)."""
    x_raw, y = benchlib.test_data(art.card, limit)
    x = benchlib.preprocess(x_raw, art.card)
    xs = art.batch_of(x)
    out, ort_qdq_metric = {}, None
    with tempfile.TemporaryDirectory(prefix="tinyq_bench_") as tmp:
        def attempt(key, fn):
            try:
                out[key], outputs = fn()
                return outputs
            except (benchlib.HarnessError, tinyq.Error, RuntimeError, KeyError) as e:
                out[key] = {"error": str(e)}
                return None

        name = art.input_name
        attempt("tinyq_float", lambda: _tinyq_throughput(art.float_onnx, name, xs))
        # The zoo's float models have a dynamic batch axis: ORT gets batches of BATCH rows.
        attempt("ort_float", lambda: _ort_throughput(art.float_onnx, name, xs, BATCH, tmp))
        if art.int8_onnx:
            q = tinyq.load(art.int8_onnx)
            xq = _int8_input(q, name, xs)
            attempt("tinyq_int8", lambda: _tinyq_throughput(art.int8_onnx, name, xq))
            # tinyq's QDQ export has a static batch of 1.
            qdq_out = attempt("ort_qdq", lambda: _ort_throughput(art.int8_onnx, name, xq, 1, tmp))
            if qdq_out is not None:
                scale, zp = q.output_quant[q.outputs[0]]
                ort_qdq_metric = benchlib.metric(art.card, benchlib.dequantize(qdq_out, scale, zp), x, y)
        if art.torch_float is not None:
            attempt("pytorch_float", lambda: _torch_throughput(art.torch_float, xs))
            attempt("pytorch_int8", lambda: _torch_throughput(art.torch_int8, xs))
    for entry in out.values():
        entry["threads"] = THROUGHPUT_THREADS
    return out, ort_qdq_metric


def binding_overhead(work, runs):
    """Per-call cost of each front end on a one-node model (Relu of 1x8 floats)."""
    import onnx
    from onnx import TensorProto, helper
    path = f"{work}/relu.onnx"
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "relu",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    x = np.ones((1, 8), np.float32)
    m = tinyq.load(path)
    torch.set_num_threads(1)
    relu = torch.nn.ReLU()
    with tempfile.TemporaryDirectory(prefix="tinyq_bench_") as tmp:
        return {"tinyq": benchlib.time_calls(lambda: m.run({"x": x}, threads=1), runs),
                "ort": _ort_latency(path, "x", x, runs, tmp),
                "pytorch": _torch_latency(relu, x, runs)}


def torchvision_float(work, runs):
    """tinyq float vs ORT float, batch 1, 1 thread, on the torchvision architectures of
    benchmarks/torchvision/export.py (1x3x64x64, random weights)."""
    tv = f"{work}/torchvision"
    benchlib.run(["/usr/bin/python3", benchlib.ROOT / "benchmarks/torchvision/export.py", tv],
               what="benchmarks/torchvision/export.py")
    rows = {}
    with tempfile.TemporaryDirectory(prefix="tinyq_bench_") as tmp:
        for path in sorted(Path(tv).glob("*.onnx")):
            m, name = _tinyq_model(path)
            x = np.load(str(path)[:-5] + ".input.npy").astype(np.float32)
            try:
                rows[path.stem] = {
                    "tinyq_float": benchlib.time_calls(lambda: m.run({name: x}, threads=1), runs),
                    "ort_float": _ort_latency(path, name, x, runs, tmp)}
            except (benchlib.HarnessError, tinyq.Error) as e:
                rows[path.stem] = {"error": str(e)}
    return rows
