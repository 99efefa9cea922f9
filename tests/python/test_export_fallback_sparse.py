"""Generated C for models with float-fallback layers (quantize --float-node) and with sparse
weights (prune --magnitude), through the CLI and the Python API: a host build of the generated
code gives the int8 executor's bytes (``tinyq run --int8`` / ``Model.run``), the float layers
run the runtime's tq_*_f32 kernels, and pruned layers are emitted in the smaller sparse format."""
import json
import subprocess

import numpy as np

import tinyq

DIGITS = "benchmarks/zoo/digits_mlp"
# A hidden layer: a float first or last layer would make the graph input or output float, which
# the int8-I/O C API refuses. digits_mlp's BatchNormalizations after the MatMuls are float anyway.
FLOAT_NODES = ("/3/MatMul",)

MAIN = (
    '#include <stdio.h>\n#include "m.h"\n'
    "static uint32_t arena[(M_ARENA_SIZE + 3) / 4];\n"
    "int main(void) { int8_t in[M_INPUT_SIZE], out[M_OUTPUT_SIZE];\n"
    "  while (fread(in, 1, sizeof in, stdin) == sizeof in) {\n"
    "    if (m_invoke(in, out, (uint8_t*)arena) != TQ_OK) return 1;\n"
    "    fwrite(out, 1, sizeof out, stdout); }\n  return 0; }\n")


def _run_generated(gen, tmp_path, x):
    """Builds gen/*.c with the strict flags and a stdin/stdout harness; runs it on x (int8)."""
    (tmp_path / "main.c").write_text(MAIN)
    exe = tmp_path / "h"
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1",
                    f"-I{gen}", *map(str, gen.glob("*.c")), str(tmp_path / "main.c"), "-o",
                    str(exe)], check=True)
    out = subprocess.run([str(exe)], input=x.tobytes(), capture_output=True, check=True).stdout
    return np.frombuffer(out, np.int8).reshape(len(x), -1)


def _inputs(n=32):
    return np.random.default_rng(5).integers(-128, 128, size=(n, 64), dtype=np.int8)


def _cli_reference(cli, model, x, tmp_path):
    np.save(tmp_path / "x.npy", x)
    r = cli("run", model, "--input", f"input={tmp_path / 'x.npy'}", "--out", tmp_path / "ref",
            "--int8")
    assert r.returncode == 0, r.stderr
    return np.load(tmp_path / "ref" / "logits.npy")


def test_cli_float_fallback_layers(cli, root, tmp_path):
    q = tmp_path / "q.onnx"
    args = ["quantize", root / DIGITS / "model.onnx", "--calib",
            root / "datasets/out/digits_calib.npz", "--card", root / DIGITS / "card.json",
            "--calib-limit", "300", "-o", q]
    for n in FLOAT_NODES:
        args += ["--float-node", n]
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    gen = tmp_path / "gen"
    r = cli("export", q, "--format", "c", "-o", gen, "--name", "m", "--json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)["export"]
    assert rep["arena_bytes"] == rep["lower_bound_bytes"]
    assert set(FLOAT_NODES) <= set(rep["float_layers"]) and rep["sparse_layers"] == []
    header, code = (gen / "m.h").read_text(), (gen / "m.c").read_text()
    for n in FLOAT_NODES:
        assert n in header
    assert "-ffp-contract=off" in header
    assert code.count("tq_fully_connected_f32(") == 1
    assert code.count("tq_channel_affine_f32(") == 2  # the BatchNormalizations
    assert (gen / "tq_fully_connected_f32.c").exists() and (gen / "tq_math_f32.h").exists()
    x = _inputs()
    got = _run_generated(gen, tmp_path, x)
    assert np.array_equal(got, _cli_reference(cli, q, x, tmp_path))


def test_python_float_fallback_layers(root, tmp_path):
    qm = tinyq.quantize(str(root / DIGITS / "model.onnx"), str(root / "datasets/out/digits_calib.npz"),
                        card=str(root / DIGITS / "card.json"), calib_limit=300,
                        float_nodes=FLOAT_NODES)
    assert any("'/3/MatMul'" in note for note in qm.report["quantize"]["float_nodes"])
    gen = tmp_path / "gen"
    rep = tinyq.export(qm, gen, name="m")["export"]
    assert rep["arena_bytes"] == rep["lower_bound_bytes"]
    assert set(FLOAT_NODES) <= set(rep["float_layers"])
    x = _inputs()
    ref = np.concatenate([qm.run({"input": x[i:i + 1]})["logits"] for i in range(len(x))])
    assert np.array_equal(_run_generated(gen, tmp_path, x), ref.astype(np.int8))


def test_cli_sparse_weights_are_smaller_and_exact(cli, root, tmp_path):
    pruned, q = tmp_path / "p.onnx", tmp_path / "q.onnx"
    common = ["--card", root / DIGITS / "card.json"]
    r = cli("prune", root / DIGITS / "model.onnx", "--data", root / "datasets/out/digits_calib.npz",
            *common, "--magnitude", "0.7", "-o", pruned)
    assert r.returncode == 0, r.stderr
    r = cli("quantize", pruned, "--calib", root / "datasets/out/digits_calib.npz", *common,
            "--calib-limit", "300", "-o", q)
    assert r.returncode == 0, r.stderr
    r = cli("export", root / DIGITS / "model.onnx", "--calib", root / "datasets/out/digits_calib.npz",
            *common, "--calib-limit", "300", "-o", tmp_path / "dense", "--name", "m", "--json")
    assert r.returncode == 0, r.stderr
    dense = json.loads(r.stdout)["export"]
    gen = tmp_path / "gen"
    r = cli("export", q, "-o", gen, "--name", "m", "--json")
    assert r.returncode == 0, r.stderr
    sparse = json.loads(r.stdout)["export"]
    code = (gen / "m.c").read_text()
    assert code.count("tq_fully_connected_sparse_s8(") == 3  # every layer of the MLP
    assert "tq_fully_connected_sparse_s8(" not in (tmp_path / "dense" / "m.c").read_text()
    assert len(sparse["sparse_layers"]) == 3 and dense["sparse_layers"] == []
    r = cli("export", q, "-o", tmp_path / "text", "--name", "m")
    assert r.returncode == 0 and "sparse weights" in r.stdout
    # 17,024 int8 weights: dense 17,024 B; 70% zeros: bitmap 1/8 + 30% values = 0.425 of that.
    assert sparse["weight_bytes"] < 0.6 * dense["weight_bytes"]
    x = _inputs()
    assert np.array_equal(_run_generated(gen, tmp_path, x), _cli_reference(cli, q, x, tmp_path))


def test_python_sparse_weights(root, tmp_path):
    data = str(root / "datasets/out/digits_calib.npz")
    card = str(root / DIGITS / "card.json")
    pm = tinyq.prune(str(root / DIGITS / "model.onnx"), data, card=card, magnitude=0.7)
    qm = tinyq.quantize(pm, data, card=card, calib_limit=300)
    gen = tmp_path / "gen"
    rep = tinyq.export(qm, gen, name="m")["export"]
    assert (gen / "m.c").read_text().count("tq_fully_connected_sparse_s8(") == 3
    assert len(rep["sparse_layers"]) == 3
    gemm = [lay for lay in rep["layers"] if lay["op"] == "Gemm"]
    # 64x128 at 70% sparsity: 128 rows x 8 mask bytes + 30% of 8192 values (+ bias, multipliers).
    assert gemm[0]["weight_bytes"] < 128 * 8 + 8192 * 0.31 + 12 * 128
    x = _inputs()
    ref = np.concatenate([qm.run({"input": x[i:i + 1]})["logits"] for i in range(len(x))])
    assert np.array_equal(_run_generated(gen, tmp_path, x), ref.astype(np.int8))
