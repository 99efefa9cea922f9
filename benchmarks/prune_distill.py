"""Channel pruning to >= 50 % fewer MACs, recovered by distillation from the unpruned model, then
int8 and the budget on a board the unpruned int8 model does not fit (issue 6's done-when).

For each model:
  1. `tinyq prune MODEL --target-macs 0.5 --recover lsq+distill --train fmnist_train.npz ...
     --val fmnist_test.npz` -> pruned float ONNX; the report gives MACs/params before and after
     and the float top-1 of the unpruned and pruned model on the full test set (10,000). The
     distillation keeps its last epoch: the test set never chooses anything.
  2. `tinyq shrink` of the unpruned and of the pruned model (calibration fmnist_calib_1k.npz,
     evaluation the full test set) for --board: float and int8 top-1, flash and RAM measured on
     the cross-compiled C build, and whether each fits.

Run (from the repository root, after building; long: hours on a loaded 2-core machine):
  nice /usr/bin/python3 benchmarks/prune_distill.py --model fmnist_resnet8 --board samd21 \\
      --out-dir /tmp/pd_resnet8 [--epochs 15] [-- extra tinyq prune flags]
Re-running with the same --out-dir reuses an existing pruned.onnx (pass --fresh to prune again).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOO = os.path.join(ROOT, "benchmarks", "zoo")
DATA = os.path.join(ROOT, "datasets", "out")

# The recipe the documented results used (docs/pruning.md); the prune flags after "--" extend or
# override it.
RECIPE = ["--criterion", "l1", "--batch", "64", "--lr", "0.002", "--optimizer", "adam",
          "--schedule", "cosine", "--warmup", "0.5", "--batch-norm", "train",
          "--bn-recalibrate", "2000", "--augment-shift", "1", "--augment-flip",
          "--temperature", "4", "--alpha", "0.9", "--seed", "1"]


def flag_dict(args):
    """["--a", "1", "--b", "--c", "x"] -> {"--a": ["1"], "--b": [], "--c": ["x"]} (ordered)."""
    out, key = {}, None
    for a in args:
        if a.startswith("--"):
            key = a
            out[key] = []
        elif key is not None:
            out[key].append(a)
    return out


def merged_flags(recipe, extra):
    """The recipe's flags with those of `extra` replacing the same flags, then the new ones."""
    flags = flag_dict(recipe)
    flags.update(flag_dict(extra))
    return [x for k, v in flags.items() for x in (k, *v)]


def run(cmd, log):
    print("$ " + " ".join(cmd), file=log, flush=True)
    t0 = time.time()
    r = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT)
    print(f"# exit {r.returncode} after {time.time() - t0:.0f} s", file=log, flush=True)
    return r.returncode


def shrink(tinyq, model, card, board, out, log):
    if os.path.exists(out):
        shutil.rmtree(out)
    rc = run([tinyq, "shrink", model, "--data", os.path.join(DATA, "fmnist_test.npz"),
              "--calib", os.path.join(DATA, "fmnist_calib_1k.npz"), "--card", card,
              "--target", board, "-o", out], log)
    if rc not in (0, 1):  # 1: a gate failed (e.g. does not fit), the report is still written
        sys.exit(f"tinyq shrink failed ({rc}); see the log")
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    fp = rep["footprint"]
    return {"float_top1": rep["metric"]["float"], "int8_top1": rep["metric"]["int8"],
            "flash_bytes": fp["flash_bytes"], "ram_bytes": fp["ram_bytes"], "fits": fp["fits"],
            "board": fp["board"], "int8_weight_bytes": fp["int8_weight_bytes"],
            "arena_bytes": fp["arena_bytes"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--model", required=True, help="zoo model, e.g. fmnist_resnet8")
    ap.add_argument("--board", required=True, help="board for the budget comparison")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--target-macs", default="0.5")
    ap.add_argument("--fresh", action="store_true", help="prune again even if pruned.onnx exists")
    ap.add_argument("extra", nargs="*", help="more tinyq prune flags (after --)")
    args = ap.parse_args()

    tinyq = os.path.join(args.build, "tinyq")
    zdir = os.path.join(ZOO, args.model)
    model, card = os.path.join(zdir, "model.onnx"), os.path.join(zdir, "card.json")
    os.makedirs(args.out_dir, exist_ok=True)
    pruned = os.path.join(args.out_dir, "pruned.onnx")
    report = os.path.join(args.out_dir, "prune.json")
    with open(os.path.join(args.out_dir, "log.txt"), "a") as log:
        if args.fresh or not os.path.exists(pruned):
            cmd = [tinyq, "prune", model, "--data", os.path.join(DATA, "fmnist_calib_1k.npz"),
                   "--card", card, "--target-macs", args.target_macs, "--recover", "lsq+distill",
                   "--train", os.path.join(DATA, "fmnist_train.npz"), "--epochs",
                   str(args.epochs), *merged_flags(RECIPE, args.extra), "--val",
                   os.path.join(DATA, "fmnist_test.npz"), "-o", pruned, "--report", report]
            if run(cmd, log) != 0:
                sys.exit("tinyq prune failed; see the log")
        with open(report) as f:
            rep = json.load(f)["prune"]  # a "tinyq.report" (docs/report_schema.md)
        original = shrink(tinyq, model, card, args.board,
                          os.path.join(args.out_dir, "shrink_original"), log)
        small = shrink(tinyq, pruned, card, args.board,
                       os.path.join(args.out_dir, "shrink_pruned"), log)
    summary = {
        "model": args.model, "board": args.board, "epochs": args.epochs,
        "recipe": merged_flags(RECIPE, args.extra),
        "macs": rep["macs"], "params": rep["params"],
        "float_top1": {"unpruned": rep["validation"]["before"],
                       "pruned": rep["validation"]["after"]},
        "drop_pt": rep["validation"]["before"] - rep["validation"]["after"],
        "unpruned": original, "pruned": small,
    }
    with open(os.path.join(args.out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"| {args.model} | {rep['macs']['before']:,} -> {rep['macs']['after']:,} "
          f"(-{100 * rep['macs']['removed_fraction']:.1f} %) | {rep['params']['before']:,} -> "
          f"{rep['params']['after']:,} | {summary['float_top1']['unpruned']:.2f} | "
          f"{summary['float_top1']['pruned']:.2f} ({-summary['drop_pt']:+.2f}) | "
          f"{original['int8_top1']:.2f} | {small['int8_top1']:.2f} |")
    for name, r in (("unpruned", original), ("pruned", small)):
        print(f"  {name} int8 on {r['board']}: flash {r['flash_bytes']:,} B, RAM "
              f"{r['ram_bytes']:,} B, {'fits' if r['fits'] else 'does NOT fit'}")


if __name__ == "__main__":
    main()
