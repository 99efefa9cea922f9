"""Ctrl-C (SIGINT) and SIGTERM during a long stage stop the CLI cleanly: the exit code and message
of the bad-input catalogue's "interrupts" cases (tests/testdata/bad_catalogue.json), no partial
output (no report, no temporary file, no OUTDIR.partial-PID folder), and an existing output file
left as it was."""
import json
import signal
import subprocess
import time

import pytest

from conftest import TESTDATA

ZOO = "benchmarks/zoo/fmnist_teacher"
CASES = json.loads((TESTDATA / "bad_catalogue.json").read_text())["interrupts"]


def start_long_run(tinyq_exe, root, out_dir, verb):
    # Calibrating on the 60,000 training images takes minutes: long enough to interrupt.
    model, train = root / ZOO / "model.onnx", root / "datasets/out/fmnist_train.npz"
    common = ["--calib-limit", "0", "--card", str(root / ZOO / "card.json")]
    if verb == "quantize":
        args = ["quantize", str(model), "--calib", str(train), *common,
                "-o", str(out_dir / "q.onnx"), "--report", str(out_dir / "r.json")]
    else:
        args = ["shrink", str(model), "--data", str(root / "datasets/out/fmnist_test.npz"),
                "--calib", str(train), *common, "-o", str(out_dir / "shrunk")]
    err = open(out_dir / "stderr.txt", "w")
    p = subprocess.Popen([str(tinyq_exe), *args], stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 300
    while time.time() < deadline:  # wait until calibration is running
        if "/60000" in (out_dir / "stderr.txt").read_text():
            break
        assert p.poll() is None, (out_dir / "stderr.txt").read_text()
        time.sleep(0.2)
    return p


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_signal_during_calibration_stops_cleanly(tinyq_exe, root, tmp_path, case):
    out = tmp_path / "out"
    out.mkdir()
    (out / "q.onnx").write_bytes(b"previous model")
    p = start_long_run(tinyq_exe, root, out, case["verb"])
    p.send_signal(getattr(signal, case["signal"]))
    assert p.wait(timeout=60) == case["exit"]
    assert case["message"] in (out / "stderr.txt").read_text()
    left = sorted(f.name for f in out.iterdir())
    assert left == ["q.onnx", "stderr.txt"], left      # no report, no temp files, no .partial
    assert (out / "q.onnx").read_bytes() == b"previous model"
