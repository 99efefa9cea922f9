"""Ctrl-C (SIGINT) and SIGTERM during a long stage stop the CLI cleanly: exit 130/143, a message,
no partial output, and an existing output file left as it was."""
import signal
import subprocess
import time

import pytest

ZOO = "benchmarks/zoo/fmnist_teacher"


def start_long_quantize(build_dir, root, out_dir):
    # Calibrating on the 60,000 training images takes minutes: long enough to interrupt.
    err = open(out_dir / "stderr.txt", "w")
    p = subprocess.Popen(
        [str(build_dir / "tinyq"), "quantize", str(root / ZOO / "model.onnx"),
         "--calib", str(root / "datasets/out/fmnist_train.npz"), "--calib-limit", "0",
         "--card", str(root / ZOO / "card.json"), "-o", str(out_dir / "q.onnx"),
         "--report", str(out_dir / "r.json")], stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until calibration is running
        if "/60000" in (out_dir / "stderr.txt").read_text():
            break
        assert p.poll() is None, (out_dir / "stderr.txt").read_text()
        time.sleep(0.2)
    return p


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_during_calibration_stops_cleanly(build_dir, root, tmp_path, sig, code):
    out = tmp_path / "out"
    out.mkdir()
    (out / "q.onnx").write_bytes(b"previous model")
    p = start_long_quantize(build_dir, root, out)
    p.send_signal(sig)
    assert p.wait(timeout=30) == code
    assert "interrupted" in (out / "stderr.txt").read_text()
    left = sorted(f.name for f in out.iterdir())
    assert left == ["q.onnx", "stderr.txt"], left      # no report, no temp files
    assert (out / "q.onnx").read_bytes() == b"previous model"
