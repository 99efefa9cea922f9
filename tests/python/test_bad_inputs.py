"""The bad-input catalogue (tests/testdata/bad_catalogue.json): every broken model and data file,
and every bad invocation (unknown board, budgets <= 0, unwritable or existing outputs, names that
would escape the output folder, limits), gets its documented exit code and message through the CLI
and through Python, and never leaves an output, a temporary file or a .partial folder behind."""
import json
import os
import resource
import subprocess

import numpy as np
import pytest

import tinyq
from conftest import TESTDATA
from models import small_cnn

CATALOGUE = json.loads((TESTDATA / "bad_catalogue.json").read_text())
EXIT_TO_ERROR = {3: tinyq.InvalidModelError, 4: tinyq.UnsupportedError,
                 5: tinyq.InvalidArgumentError, 6: (tinyq.IoError, tinyq.NotFoundError)}


@pytest.fixture(scope="module")
def cnn(tmp_path_factory, cli):
    d = tmp_path_factory.mktemp("cnn")
    small_cnn(d / "cnn.onnx")
    x = np.zeros((4, 1, 8, 8), np.float32)
    np.save(d / "x.npy", x)
    np.savez(d / "good.npz", x=x, y=np.zeros(4, np.int64))
    r = cli("quantize", d / "cnn.onnx", "--calib", d / "good.npz", "-o", d / "qcnn.onnx")
    assert r.returncode == 0, r.stderr
    return d


def test_catalogue_is_complete():
    for case in CATALOGUE["models"] + CATALOGUE["data"]:
        if "does_not_exist" not in case["file"]:
            assert (TESTDATA / case["file"]).exists(), case["file"]
    assert sum(len(CATALOGUE[k]) for k in ("models", "data", "commands", "interrupts")) >= 40


@pytest.mark.parametrize("case", CATALOGUE["models"], ids=lambda c: c["file"])
def test_bad_model(case, cli, cnn, tmp_path):
    path = TESTDATA / case["file"]
    out = tmp_path / "out"
    runs = [cli("inspect", path),
            cli("run", path, "--input", f"input={cnn / 'x.npy'}", "--out", out),
            cli("eval", path, "--data", cnn / "good.npz")]
    for r in runs:
        assert r.returncode == case["exit"], r.stderr
        assert r.stderr.startswith("tinyq: error: "), r.stderr
        assert f"{path}: " in r.stderr and case["message"] in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and "terminate" not in r.stderr
    assert not out.exists()
    with pytest.raises(EXIT_TO_ERROR[case["exit"]]) as e:
        tinyq.load(path)
    assert case["message"] in str(e.value)


@pytest.mark.parametrize("case", CATALOGUE["data"], ids=lambda c: c["file"])
def test_bad_data(case, cli, cnn, tmp_path):
    path = TESTDATA / case["file"]
    r = cli("eval", cnn / "cnn.onnx", "--data", path)
    assert r.returncode == case["exit"], r.stderr
    assert f"{path}" in r.stderr and case["message"] in r.stderr, r.stderr
    if path.suffix == ".npy":
        out = tmp_path / "out"
        r = cli("run", cnn / "cnn.onnx", "--input", f"input={path}", "--out", out)
        assert r.returncode == case["exit"] and str(path) in r.stderr, r.stderr
        assert not out.exists()
    model = tinyq.load(cnn / "cnn.onnx")
    with pytest.raises(EXIT_TO_ERROR[case["exit"]]) as e:
        d = tinyq.read_dataset(path)
        model.evaluate(d["x"], d.get("y"))
    assert case["message"] in str(e.value)


def leftovers(folder):
    """Temporary files (WriteFileAtomic's NAME.tmp.XXXXXX) and shrink's OUTDIR.partial-PID."""
    return sorted(str(p) for p in folder.rglob("*") if ".tmp." in p.name or ".partial-" in p.name)


def snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("case", CATALOGUE["commands"], ids=lambda c: c["id"])
def test_bad_command(case, cli, cnn, tmp_path):
    """One bad invocation through the CLI and through Python: the exit code (or exception class)
    and message, no output, no temporary file, and {existing}/{file} untouched."""
    work = tmp_path / "work"
    work.mkdir()
    for name, text in case.get("write", {}).items():
        (work / name).write_text(text)
    existing = work / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("an earlier result")
    afile = work / "afile"
    afile.write_text("a file, not a folder")
    places = {"cnn": cnn / "cnn.onnx", "qcnn": cnn / "qcnn.onnx", "good": cnn / "good.npz",
              "x": cnn / "x.npy", "tiny_c": TESTDATA / "target" / "tiny", "out": work / "out",
              "existing": existing, "file": afile, "tmp": work, "bad": TESTDATA / "bad",
              "bad_data": TESTDATA / "bad_data"}
    before = snapshot(tmp_path)
    outside = sorted(p.name for p in tmp_path.parent.iterdir())

    def unchanged(what):
        assert not (work / "out").exists(), what
        assert leftovers(tmp_path) == [], what
        assert snapshot(tmp_path) == before, what
        assert sorted(p.name for p in tmp_path.parent.iterdir()) == outside, what  # nothing escaped

    r = cli(*[a.format(**places) for a in case["cli"]])
    assert r.returncode == case["exit"], r.stderr
    assert r.stderr.splitlines()[-1].startswith("tinyq: error: "), r.stderr  # after any progress
    assert case["message"] in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "terminate" not in r.stderr
    unchanged("cli")
    if case["python"] is None:  # Python has no such output (Model.run returns arrays)
        return
    with pytest.raises(tinyq.Error) as e:
        eval(case["python"], {"tinyq": tinyq, "np": np}, places)  # noqa: S307 - the catalogue's own calls
    assert e.value.exit_code == case["exit"]
    assert case["message"].replace("--", "") in str(e.value).replace("--", ""), str(e.value)
    unchanged("python")


def test_run_output_names_stay_in_the_output_folder(cli, cnn, tmp_path):
    """A model output named "../../escape" is written inside --out, never beside it."""
    import onnx  # noqa: PLC0415
    from onnx import TensorProto, helper  # noqa: PLC0415
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["../../escape"], name="relu")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("../../escape", TensorProto.FLOAT, [1, 4])])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              str(tmp_path / "m.onnx"))
    np.save(tmp_path / "x.npy", np.array([[-1, 2, -3, 4]], np.float32))
    (tmp_path / "a" / "b").mkdir(parents=True)
    out = tmp_path / "a" / "b" / "out"
    r = cli("run", tmp_path / "m.onnx", "--input", f"x={tmp_path / 'x.npy'}", "--out", out)
    assert r.returncode == 0, r.stderr
    written = [p for p in tmp_path.rglob("*.npy") if p.name != "x.npy"]
    assert len(written) == 1 and written[0].parent == out, written
    np.testing.assert_array_equal(np.load(written[0]), [[0, 2, 0, 4]])


def sanitized(exe):
    """True for an AddressSanitizer build (it reserves terabytes of address space up front)."""
    return b"__asan_init" in exe.read_bytes()


# Files that declare far more data than they hold (1 GiB and more): each must be refused from its
# header, before anything of the declared size is allocated.
DECLARED = [("inspect", "bad/declared_no_data.onnx"), ("eval", "bad_data/huge_declared_size.npz"),
            ("eval", "bad_data/deflate_declared_1gib.npz"),
            ("eval", "bad_data/declared_60000-images-idx3-ubyte.gz")]


@pytest.mark.parametrize("verb,file", DECLARED, ids=[f for _, f in DECLARED])
def test_declared_sizes_are_refused_before_allocating(verb, file, tinyq_exe, cnn):
    """Under a 512 MiB memory cap (RLIMIT_AS; for an ASan build, its allocator's own cap) a 1 GiB
    allocation would fail with exit 70 "out of memory"; the catalogue's answer proves none is
    made."""
    case = next(c for c in CATALOGUE["models"] + CATALOGUE["data"] if c["file"] == file)
    args = [str(tinyq_exe), verb, str(TESTDATA / file)]
    if verb == "eval":
        args = [str(tinyq_exe), "eval", str(cnn / "cnn.onnx"), "--data", str(TESTDATA / file)]
    env = dict(os.environ)
    limit = None
    if sanitized(tinyq_exe):
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":max_allocation_size_mb=512"
    else:
        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))
    r = subprocess.run(args, capture_output=True, text=True, env=env, preexec_fn=limit,
                       timeout=120)
    assert r.returncode == case["exit"], r.stderr
    assert case["message"] in r.stderr, r.stderr
