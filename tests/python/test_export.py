"""tinyq export (C99 code generation) through the CLI and the Python API: files, report fields,
exit codes, and a host build of the generated code whose outputs equal the int8 executor's."""
import json
import subprocess

import numpy as np
import pytest

import tinyq

DIGITS = "benchmarks/zoo/digits_mlp"


@pytest.fixture(scope="module")
def digits_q(tmp_path_factory, cli, root):
    """digits_mlp quantized with default settings by the CLI (has float-fallback BN layers)."""
    out = tmp_path_factory.mktemp("q") / "digits.int8.onnx"
    r = cli("quantize", root / DIGITS / "model.onnx", "--calib",
            root / "datasets/out/digits_calib.npz", "--card", root / DIGITS / "card.json",
            "--calib-limit", "300", "-o", out)
    assert r.returncode == 0, r.stderr
    return out


def test_cli_help_lists_options(cli):
    r = cli("export", "--help")
    assert r.returncode == 0
    for opt in ("--format", "--name", "--calib", "--card", "--json"):
        assert opt in r.stdout


def test_cli_export_writes_files_and_report(cli, digits_q, tmp_path):
    out = tmp_path / "gen"
    r = cli("export", digits_q, "--format", "c", "-o", out, "--name", "digits", "--json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["format"] == "tinyq.export_report"
    for f in ("digits.h", "digits.c", "digits_weights.c", "tq_common.h", "tq_conv.c"):
        assert (out / f).exists(), f
    assert rep["arena_bytes"] == rep["lower_bound_bytes"]
    assert rep["greedy_bytes"] >= rep["arena_bytes"]
    assert rep["input_bytes"] == 64 and rep["output_bytes"] == 10
    header = (out / "digits.h").read_text()
    assert f"#define DIGITS_ARENA_SIZE {rep['arena_bytes']}" in header
    assert "tq_status digits_invoke(const int8_t* input, int8_t* output, uint8_t* arena);" in header
    # Provenance: the sha256 of the model file.
    import hashlib
    sha = hashlib.sha256(digits_q.read_bytes()).hexdigest()
    assert sha in (out / "digits.c").read_text().splitlines()[0]
    assert "malloc" not in (out / "digits.c").read_text()


def test_cli_exit_codes(cli, root, digits_q, tmp_path):
    # float model without --calib: precondition (5), nothing written
    r = cli("export", root / DIGITS / "model.onnx", "-o", tmp_path / "a")
    assert r.returncode == 5 and "--calib" in r.stderr
    assert not (tmp_path / "a").exists()
    r = cli("export", digits_q, "-o", tmp_path / "b", "--name", "not-a-c-name")
    assert r.returncode == 5
    r = cli("export", tmp_path / "missing.onnx", "-o", tmp_path / "c")
    assert r.returncode == 6
    r = cli("export", digits_q, "--format", "tflite", "-o", tmp_path / "d")
    assert r.returncode == 5
    r = cli("export", digits_q)  # no -o
    assert r.returncode == 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = cli("export", digits_q, "-o", blocker)  # the output exists and is not a directory
    assert r.returncode == 6 and "not a directory" in r.stderr
    assert blocker.read_text() == "x"


def test_python_export_report_and_host_build(digits_q, tmp_path, root):
    rep = tinyq.export(str(digits_q), tmp_path / "py", name="digits")
    assert rep["arena_bytes"] == rep["lower_bound_bytes"] > 0
    assert rep["weight_bytes"] > 8192 * 2
    assert {"name", "bytes", "first_step", "last_step", "offset", "shared_with"} <= set(rep["buffers"][0])
    # The float BatchNormalization runs in place over its DequantizeLinear input.
    assert any("BatchNormalization_output_0" in b["shared_with"] for b in rep["buffers"])
    gemm = [lay for lay in rep["layers"] if lay["op"] == "Gemm"]
    assert [lay["macs"] for lay in gemm] == [8192, 8192, 640]  # 64x128, 128x64, 64x10
    # Build on the host and compare with the int8 executor byte for byte.
    gen = tmp_path / "py"
    (gen / "main.c").write_text(
        '#include <stdio.h>\n#include "digits.h"\n'
        "static uint32_t arena[(DIGITS_ARENA_SIZE + 3) / 4];\n"
        "int main(void) { int8_t in[DIGITS_INPUT_SIZE], out[DIGITS_OUTPUT_SIZE];\n"
        "  while (fread(in, 1, sizeof in, stdin) == sizeof in) {\n"
        "    if (digits_invoke(in, out, (uint8_t*)arena) != TQ_OK) return 1;\n"
        "    fwrite(out, 1, sizeof out, stdout); }\n  return 0; }\n")
    exe = tmp_path / "h"
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1",
                    *map(str, gen.glob("*.c")), "-o", str(exe)], check=True)
    model = tinyq.load(str(digits_q))
    x = tinyq.read_dataset(str(root / "datasets/out/digits_test.npz"))["x"][:20]
    x_in = np.clip(np.round(x.reshape(20, 64) * 0.0625 / rep_input_scale(gen)) +
                   rep_input_zp(gen), -128, 127).astype(np.int8)
    ref = np.concatenate([model.run({"input": x_in[i:i + 1]})["logits"] for i in range(20)])
    got = subprocess.run([str(exe)], input=x_in.tobytes(), capture_output=True, check=True).stdout
    assert np.array_equal(np.frombuffer(got, np.int8).reshape(20, 10), ref.astype(np.int8))


def _macro(gen, name):
    for line in (gen / "digits.h").read_text().splitlines():
        if line.startswith(f"#define DIGITS_{name} "):
            return line.split(" ", 2)[2].strip()
    raise AssertionError(name)


def rep_input_scale(gen):
    return float.fromhex(_macro(gen, "INPUT_SCALE").rstrip("f"))


def rep_input_zp(gen):
    return int(_macro(gen, "INPUT_ZERO_POINT").strip("()"))


def test_python_export_float_model_with_calib_and_errors(tmp_path, root):
    rep = tinyq.export(str(root / DIGITS / "model.onnx"), tmp_path / "f", name="m",
                       calib=str(root / "datasets/out/digits_calib.npz"),
                       card=str(root / DIGITS / "card.json"), calib_limit=200)
    assert rep["arena_bytes"] == rep["lower_bound_bytes"]
    with pytest.raises(tinyq.FailedPreconditionError):
        tinyq.export(str(root / DIGITS / "model.onnx"), tmp_path / "g")
    with pytest.raises(tinyq.InvalidArgumentError):
        tinyq.export(str(root / DIGITS / "model.onnx"), tmp_path / "h", name="1bad",
                     calib=str(root / "datasets/out/digits_calib.npz"))
    assert not (tmp_path / "g").exists() and not (tmp_path / "h").exists()


def test_cli_export_onnx_format_round_trips(cli, digits_q, tmp_path):
    out = tmp_path / "again.onnx"
    r = cli("export", digits_q, "--format", "onnx", "-o", out)
    assert r.returncode == 0, r.stderr
    a, b = tinyq.load(str(digits_q)), tinyq.load(str(out))
    x = np.arange(-32, 32, dtype=np.int8).reshape(1, 64)
    assert np.array_equal(a.run({"input": x})["logits"], b.run({"input": x})["logits"])
