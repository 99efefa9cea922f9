#!/usr/bin/env python3
"""tinyq gates itself: shrinks every zoo model for a board and checks each report against the
committed baseline (benchmarks/baselines/<model>.json) with `tinyq check`. Run by .ci/run, so a
change that costs accuracy, flash or RAM fails the project's own CI.

    /usr/bin/python3 benchmarks/zoo_gate.py                 # check (exit 1 on a regression)
    /usr/bin/python3 benchmarks/zoo_gate.py --update        # rewrite the baselines (review the diff!)
    /usr/bin/python3 benchmarks/zoo_gate.py --models digits_mlp,kws_dscnn

Limits: the int8 metric may drop at most 0.5 pt (AUC: 0.01) against float and against the
baseline's int8; flash and RAM may grow at most 1 %; the model must fit the board (NUCLEO-L4R5ZI).
JUnit XML and a Markdown summary per model go to build/gate/.
"""
import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOARD = "nucleo_l4r5zi"
ZOO = {  # model -> (evaluation set, calibration set: 1,000 training samples)
    "digits_mlp": ("digits_test", "digits_calib_1k"),
    "fmnist_dscnn": ("fmnist_test", "fmnist_calib_1k"),
    "fmnist_resnet8": ("fmnist_test", "fmnist_calib_1k"),
    "fmnist_mobilenetv1": ("fmnist_test", "fmnist_calib_1k"),
    "fmnist_teacher": ("fmnist_test", "fmnist_calib_1k"),
    "kws_dscnn": ("kws_test", "kws_calib_1k"),
    "vibration_ae": ("vibration_test", "vibration_calib_1k"),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help="rewrite the committed baselines")
    ap.add_argument("--models", default=",".join(ZOO), help="comma-separated zoo models")
    ap.add_argument("--tinyq", default=str(ROOT / "build" / "tinyq"))
    args = ap.parse_args()
    out_root = ROOT / "build" / "gate"
    out_root.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.models.split(","):
        test, calib = ZOO[name]
        z = Path("benchmarks/zoo") / name
        out = out_root / name
        cmd = [args.tinyq, "shrink", str(z / "model.onnx"), "--data", f"datasets/out/{test}.npz",
               "--calib", f"datasets/out/{calib}.npz", "--card", str(z / "card.json"),
               "--target", BOARD, "-o", str(out), "--force"]
        print("==>", " ".join(cmd), flush=True)
        r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        print(r.stdout, flush=True)
        if r.returncode not in (0, 1):
            failed.append(f"{name}: tinyq shrink exited {r.returncode}")
            continue
        baseline = ROOT / "benchmarks" / "baselines" / f"{name}.json"
        if args.update:
            baseline.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / "report.json", baseline)
            print(f"updated {baseline.relative_to(ROOT)}")
            continue
        auc = json.loads((out / "report.json").read_text())["metric"]["name"] == "auc"
        check = [args.tinyq, "check", str(out / "report.json"), "--baseline", str(baseline),
                 "--max-accuracy-drop", "0.5" if not auc else "1.0",
                 "--max-flash-growth", "1", "--max-ram-growth", "1",
                 "--junit", str(out_root / f"{name}.junit.xml"),
                 "--markdown", str(out_root / f"{name}.md")]
        c = subprocess.run(check, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        print(c.stdout, flush=True)
        if c.returncode != 0:
            failed.append(f"{name}: tinyq check exited {c.returncode}")
    if failed:
        print("zoo gate FAILED:\n  " + "\n  ".join(failed))
        return 1
    print("zoo gate passed" if not args.update else "baselines updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
