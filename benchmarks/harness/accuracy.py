"""Accuracy and time to quantize: benchmarks/ptq_vs_pytorch.py, run as a subprocess.

It rebuilds each zoo model in PyTorch from the committed ONNX weights, quantizes it with FX PTQ
(x86 qconfig on onednn, one thread) and with `tinyq quantize` on the same calibration samples,
and evaluates both (and the float model) on the test set; see benchmarks/README.md. The tinyq
variants are "default" (no flags) and, where the script offers it, "search" (the configuration
tinyq's --search chooses on a validation split of the training data): the "best method" row.
The default settings are also compared on CALIB_DRAWS calibration draws (--calib-draws): one
calibration set is one random draw, and the draws show whether a difference of a few test samples
belongs to the quantizer or to the draw.
"""
import json
import sys
from pathlib import Path

import benchlib

SCRIPT = benchlib.ROOT / "benchmarks" / "ptq_vs_pytorch.py"
CALIB_DRAWS = 5


def run(models, limit, work):
    """{model: ptq_vs_pytorch row} and a note on what was run."""
    out = Path(work) / "ptq_vs_pytorch.json"
    cmd = [sys.executable, SCRIPT, "--models", ",".join(models), "--json", out,
           "--variants", "default,search", "--calib-draws", CALIB_DRAWS]
    note = (f"tinyq default and --search (chosen on validation data); the default settings also "
            f"on {CALIB_DRAWS} calibration draws")
    if limit:
        cmd += ["--limit", limit]
    try:
        benchlib.run(cmd, what="ptq_vs_pytorch.py", timeout=7200)
    except benchlib.HarnessError as e:
        # A tinyq failure still yields the JSON (exit 1, error in the row); anything else does not.
        if not out.exists():
            raise
        note += f"; the script reported a failure: {e}"
    data = json.loads(out.read_text())
    shown = [str(c).replace(str(benchlib.ROOT) + "/", "") for c in cmd[1:]]
    del shown[shown.index("--json"):shown.index("--json") + 2]  # a temporary file
    return {r["model"]: r for r in data["rows"]}, {
        "note": note, "command": " ".join(shown), "torch": data.get("torch"),
        "qconfig": data.get("qconfig"), "engine": data.get("engine")}
