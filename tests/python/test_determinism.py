"""Determinism: `tinyq shrink` run twice, with 1 and with 2 threads, writes byte-identical files;
the other verbs' reports differ only in their "timing"."""
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


def test_verb_reports_are_identical_across_runs_but_for_timing(cli, root, tmp_path):
    """`tinyq quantize --report` and `tinyq eval --report` with 1 and 2 threads: eval reports are
    byte-identical, quantize reports too once their "timing" (wall clock) is left out."""
    digits = root / "benchmarks/zoo/digits_mlp"
    test = root / "datasets/out/digits_test.npz"
    runs = []
    for threads in (1, 2):
        d = tmp_path / f"t{threads}"
        d.mkdir()
        common = ["--card", digits / "card.json", "--threads", threads]
        r = cli("quantize", digits / "model.onnx", "--calib", root / "datasets/out/digits_calib.npz",
                *common, "--max-drop", "0.5", "--val", test, "-o", "q.onnx", "--report", "q.json",
                cwd=d)
        assert r.returncode == 0, r.stderr
        r = cli("eval", "q.onnx", "--data", test, *common, "--report", "e.json", cwd=d)
        assert r.returncode == 0, r.stderr
        runs.append(d)
    a, b = runs
    assert (a / "e.json").read_bytes() == (b / "e.json").read_bytes()
    qa, qb = ((d / "q.json").read_text().split('  "timing"')[0] for d in runs)
    assert '"quantize"' in qa and qa == qb
