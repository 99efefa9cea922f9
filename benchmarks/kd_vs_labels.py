"""Knowledge distillation vs label-only training of the same small student on Fashion-MNIST.

Student: benchmarks/zoo/fmnist_student (narrow CNN, ~9k params, untrained seed-1 init).
Teacher: benchmarks/zoo/fmnist_teacher (VGG-style, ~0.58M params).
Both arms run `tinyq distill` with the same epochs, optimizer, learning rate, schedule and
seeds; the KD arm adds the teacher term (alpha, T), the label arm passes --labels-only.
Training uses the first --train samples of fmnist_train.npz, validation (best epoch kept) the
last 5,000 training samples, and the reported number is top-1 on fmnist_test.npz (10,000) from
`tinyq eval`. Teacher logits are computed once and cached (--teacher-cache).

Run (from the repository root, after building):
  /usr/bin/python3 benchmarks/kd_vs_labels.py [--epochs 3] [--train 10000] [--seeds 1 2 3]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOO = os.path.join(ROOT, "benchmarks", "zoo")
DATA = os.path.join(ROOT, "datasets", "out")


def tinyq(build, *args):
    cmd = [os.path.join(build, "tinyq"), *map(str, args)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--train", type=int, default=10000, help="training samples (first N)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--lr", type=float, default=0.003)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--temperature", type=float, default=4.0)
    ap.add_argument("--alpha", type=float, default=0.9)
    ap.add_argument("--arms", nargs="+", default=["kd", "labels"], choices=["kd", "labels"],
                    help="which trainings to run (labels-only results do not depend on T/alpha)")
    ap.add_argument("--teacher-cache", default=None,
                    help="keep the teacher logits here across runs (default: a temp file)")
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "kd_vs_labels.json"))
    args = ap.parse_args()

    teacher = os.path.join(ZOO, "fmnist_teacher", "model.onnx")
    card = os.path.join(ZOO, "fmnist_teacher", "card.json")
    student = os.path.join(ZOO, "fmnist_student", "model.onnx")
    test = os.path.join(DATA, "fmnist_test.npz")
    with tempfile.TemporaryDirectory(prefix="kd_vs_labels_") as tmp:
        with np.load(os.path.join(DATA, "fmnist_train.npz")) as z:
            x, y = z["x"], z["y"]
        if args.train > len(x) - 5000:
            sys.exit(f"--train must be <= {len(x) - 5000} (the last 5000 samples validate)")
        train_path, val_path = os.path.join(tmp, "train.npz"), os.path.join(tmp, "val.npz")
        np.savez(train_path, x=x[:args.train], y=y[:args.train])
        np.savez(val_path, x=x[-5000:], y=y[-5000:])
        cache = args.teacher_cache or os.path.join(tmp, "teacher_logits.npz")
        common = ["--student", student, "--data", train_path, "--val", val_path, "--card", card,
                  "--epochs", args.epochs, "--batch", args.batch, "--lr", args.lr,
                  "--optimizer", "adam", "--schedule", "cosine"]
        rows = []
        for arm in args.arms:
            for seed in args.seeds:
                out = os.path.join(tmp, f"{arm}_{seed}.onnx")
                report = os.path.join(tmp, f"{arm}_{seed}.json")
                extra = (["--teacher", teacher, "--temperature", args.temperature, "--alpha",
                          args.alpha, "--teacher-cache", cache] if arm == "kd"
                         else ["--labels-only"])
                t0 = time.time()
                tinyq(args.build, "distill", *common, *extra, "--seed", seed, "-o", out,
                      "--report", report)
                wall = time.time() - t0
                with open(report) as f:
                    envelope = json.load(f)  # a "tinyq.report" (docs/report_schema.md)
                rep = {**envelope["distill"], **envelope["timing"]}
                ev = json.loads(tinyq(args.build, "eval", out, "--data", test, "--card", card,
                                      "--json"))["eval"]
                rows.append({"arm": arm, "seed": seed, "test_top1": ev["value"],
                             "val_top1": rep["best_val_top1"], "best_epoch": rep["best_epoch"],
                             "samples_per_second": rep["samples_per_second"],
                             "teacher_seconds": rep["teacher_seconds"], "wall_seconds": wall})
                print(f"{arm:6s} seed {seed}: test top1 {ev['value']:.2f}%  "
                      f"(val {rep['best_val_top1']:.2f}%, {rep['samples_per_second']:.0f} "
                      f"samples/s, {wall:.0f}s)", flush=True)
    teacher_top1 = json.loads(tinyq(args.build, "eval", teacher, "--data", test, "--card", card,
                                    "--json"))["eval"]["value"]
    print(f"\nstudent {args.epochs} epochs on {args.train} samples, seeds {args.seeds}; "
          f"teacher test top1 {teacher_top1:.2f}%")
    print("| training | test top-1 mean | min..max | ± std | samples/s |")
    print("|---|---|---|---|---|")
    summary = {}
    for arm, label in (("kd", f"KD (T={args.temperature:g}, alpha={args.alpha:g})"),
                       ("labels", "labels only")):
        if arm not in args.arms:
            continue
        acc = np.array([r["test_top1"] for r in rows if r["arm"] == arm])
        sps = np.mean([r["samples_per_second"] for r in rows if r["arm"] == arm])
        summary[arm] = {"mean": acc.mean(), "std": acc.std(ddof=1) if len(acc) > 1 else 0.0,
                        "min": acc.min(), "max": acc.max(), "samples_per_second": sps}
        s = summary[arm]
        print(f"| {label} | {s['mean']:.2f}% | {s['min']:.2f}..{s['max']:.2f} | "
              f"{s['std']:.2f} | {sps:.0f} |")
    with open(args.out, "w") as f:
        settings = {k: v for k, v in vars(args).items() if k not in ("build", "out", "teacher_cache")}
        json.dump({"args": settings, "teacher_test_top1": teacher_top1, "runs": rows,
                   "summary": summary}, f, indent=2, default=float)
        f.write("\n")


if __name__ == "__main__":
    main()
