"""Determinism: `tinyq shrink` run twice, with 1 and with 2 threads, writes byte-identical files."""
import filecmp

ZOO = "benchmarks/zoo/fmnist_dscnn"


def test_shrink_outputs_are_identical_across_runs_and_thread_counts(cli, root, tmp_path):
    outs = []
    for threads in (1, 2):
        out = tmp_path / f"t{threads}"
        r = cli("shrink", root / ZOO / "model.onnx", "--data", root / "datasets/out/fmnist_test.npz",
                "--calib", root / "datasets/out/fmnist_calib_1k.npz", "--card", root / ZOO / "card.json",
                "-o", out, "--threads", threads, "--eval-limit", "1000", "--calib-limit", "300")
        assert r.returncode == 0, r.stderr
        outs.append(out)
    # Every file, the generated C sources included.
    names = sorted(str(p.relative_to(outs[0])) for p in outs[0].rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(outs[1])) for p in outs[1].rglob("*") if p.is_file())
    assert len(names) >= 10 and "c/fmnist_dscnn.c" in names
    match, mismatch, errors = filecmp.cmpfiles(outs[0], outs[1], names, shallow=False)
    assert mismatch == [] and errors == [], mismatch + errors
