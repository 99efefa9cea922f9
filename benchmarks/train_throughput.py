"""Training throughput: tinyq's trainer against PyTorch on the same student, same data, same batch.

Student: benchmarks/zoo/fmnist_student (conv3x3(8)-relu-maxpool-conv3x3(16)-relu-maxpool-dense 10,
9,098 params); both sides start from the weights of its committed model.onnx.
Data: the first --samples images of datasets/out/fmnist_train.npz (uint8), preprocessed per batch
with the teacher card's scale/mean/std, shuffled once per epoch.
Work per sample on both sides: forward, cross-entropy on the labels, backward, one Adam step
(lr 0.003, cosine schedule), batch --batch, 2 threads (tinyq's Conv splits each batch over two
threads; PyTorch gets torch.set_num_threads(2) and set_num_interop_threads(1)).

Measured, for the training steps of one epoch (data loading and process start-up excluded on
both sides: tinyq's report times only the steps, the PyTorch loop is timed around the steps):
samples per wall-clock second, and samples per CPU-second (process CPU time of all threads over
the same steps: tinyq's report field `train_cpu_seconds`, Python's time.process_time()). tinyq and
PyTorch alternate --repeats times in the same run; the medians and their ratios are reported. The
machine is shared, so wall-clock numbers move with its load (alternating exposes both sides to the
same load; the load average is printed); CPU-seconds are the steadier measure of the work done.

PyTorch's OpenMP threads spin while waiting by default; on an oversubscribed machine that made
its 2-thread training ~10x slower in wall time than 1 thread (measured here), so the script sets
OMP_WAIT_POLICY=PASSIVE before importing torch (tinyq's two threads block, they never spin).

Linux shares the CPU between sessions first (autogroups), then between the threads of a session:
started from a shell that also runs long jobs, both sides compete with those jobs as well. Start
the benchmark in its own session (setsid) for numbers that reflect the two trainers.

Run (from the repository root, after building):
  setsid /usr/bin/python3 benchmarks/train_throughput.py [--batch 64] [--samples 10000] \
      [--repeats 3] [--out result.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch starts OpenMP (see above)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOO = os.path.join(ROOT, "benchmarks", "zoo")
DATA = os.path.join(ROOT, "datasets", "out")
STUDENT = os.path.join(ZOO, "fmnist_student", "model.onnx")
CARD = os.path.join(ZOO, "fmnist_teacher", "card.json")


def run_tinyq(build, train_path, batch, tmp):
    out, report = os.path.join(tmp, "t.onnx"), os.path.join(tmp, "t.json")
    cmd = [os.path.join(build, "tinyq"), "train", STUDENT, "--data", train_path, "--card", CARD,
           "--epochs", "1", "--batch", str(batch), "--lr", "0.003", "--optimizer", "adam",
           "--schedule", "cosine", "-o", out, "--report", report]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)}\n{r.stdout}{r.stderr}")
    with open(report) as f:
        rep = json.load(f)
    return {"samples_per_second": rep["samples_per_second"],
            "samples_per_cpu_second": len_x(train_path) / rep["train_cpu_seconds"]}


def len_x(path):
    with np.load(path) as z:
        return len(z["y"])


def torch_student():
    """The student's nn.Module with the weights of the committed ONNX (same init as tinyq)."""
    import onnx
    import torch
    from onnx import numpy_helper
    sys.path.insert(0, os.path.join(ZOO, "fmnist_student"))
    sys.path.insert(0, ZOO)
    import make_student  # noqa: PLC0415
    model = make_student.build()
    init = {t.name: numpy_helper.to_array(t) for t in onnx.load(STUDENT).graph.initializer}
    weights = [init[n.input[i]] for n in onnx.load(STUDENT).graph.node
               if n.op_type in ("Conv", "Gemm") for i in (1, 2)]
    params = [p for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))
              for p in (m.weight, m.bias)]
    if len(weights) != len(params):
        sys.exit("the student's ONNX and nn.Module do not pair up")
    with torch.no_grad():
        for p, w in zip(params, weights):
            if tuple(p.shape) != w.shape:
                sys.exit(f"shape mismatch {tuple(p.shape)} vs {w.shape}")
            p.copy_(torch.from_numpy(w.copy()))
    return model


def run_torch(x, y, batch, pre, seed):
    import torch
    torch.manual_seed(seed)
    model = torch_student()
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    steps = (len(x) + batch - 1) // batch
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    lossf = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    perm = torch.randperm(len(x))
    model.train()
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(x), batch):
        idx = perm[i:i + batch]
        xb = (xt[idx].float() * pre["scale"] - pre["mean"]) / pre["std"]
        loss = lossf(model(xb), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"samples_per_second": len(x) / wall, "samples_per_cpu_second": len(x) / cpu}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=None, help="write the results as JSON here")
    args = ap.parse_args()

    import torch
    torch.set_num_threads(2)
    torch.set_num_interop_threads(1)
    with open(CARD) as f:
        pre = json.load(f)["preprocess"]
    with np.load(os.path.join(DATA, "fmnist_train.npz")) as z:
        x, y = z["x"][:args.samples], z["y"][:args.samples]
    x = x.reshape(len(x), 1, 28, 28)
    rows = {"tinyq": [], "pytorch": []}
    with tempfile.TemporaryDirectory(prefix="train_throughput_") as tmp:
        train_path = os.path.join(tmp, "train.npz")
        np.savez(train_path, x=x, y=y)
        for rep in range(args.repeats):
            rows["tinyq"].append(run_tinyq(args.build, train_path, args.batch, tmp))
            rows["pytorch"].append(run_torch(x, y, args.batch, pre, rep + 1))
            t, p = rows["tinyq"][-1], rows["pytorch"][-1]
            print(f"repeat {rep + 1}: tinyq {t['samples_per_second']:.0f} samples/s "
                  f"({t['samples_per_cpu_second']:.0f}/CPU-s), PyTorch "
                  f"{p['samples_per_second']:.0f} samples/s ({p['samples_per_cpu_second']:.0f}"
                  f"/CPU-s)", file=sys.stderr)
    keys = ("samples_per_second", "samples_per_cpu_second")
    med = {side: {k: statistics.median(r[k] for r in runs) for k in keys}
           for side, runs in rows.items()}
    ratio = {k: med["tinyq"][k] / med["pytorch"][k] for k in keys}
    result = {
        "student": "fmnist_student", "samples": len(x), "batch": args.batch, "threads": 2,
        "torch": torch.__version__, "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "load_average": os.getloadavg(), "runs": rows, "median": med,
        "ratio_tinyq_over_pytorch": ratio,
    }
    print(f"| side | samples/s (median of {args.repeats}) | samples per CPU-second | runs, samples/s |")
    print("|---|---|---|---|")
    for side in ("tinyq", "pytorch"):
        runs = ", ".join(f"{r['samples_per_second']:.0f}" for r in rows[side])
        print(f"| {side} | {med[side]['samples_per_second']:.0f} | "
              f"{med[side]['samples_per_cpu_second']:.0f} | {runs} |")
    print(f"\ntinyq / PyTorch: {ratio['samples_per_second']:.2f}x per wall-clock second, "
          f"{ratio['samples_per_cpu_second']:.2f}x per CPU-second (batch {args.batch}, {len(x)} "
          f"samples, 2 threads, torch {torch.__version__}, load average "
          f"{result['load_average'][0]:.1f})")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
