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
    envelope = json.loads(r.stdout)
    assert envelope["format"] == "tinyq.report" and envelope["verb"] == "export"
    rep = envelope["export"]
    assert envelope["footprint"] == {"const_bytes": rep["weight_bytes"],
                                     "arena_bytes": rep["arena_bytes"],
                                     "arena_lower_bound_bytes": rep["lower_bound_bytes"]}
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
    report = tinyq.export(str(digits_q), tmp_path / "py", name="digits")
    assert isinstance(report, tinyq.Report) and report.verb == "export"
    rep = report["export"]
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
    assert rep["export"]["arena_bytes"] == rep["export"]["lower_bound_bytes"]
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


BLOB_MAIN = (
    '#include <stdio.h>\n#include <string.h>\n#include "digits.h"\n'
    "static uint32_t arena[(DIGITS_ARENA_SIZE + 3) / 4];\n"
    "static uint32_t blob[(1u << 20) / 4];\n"
    "/* main BLOB: reads inputs from stdin; prints the first status, writes outputs of TQ_OK */\n"
    "int main(int argc, char** argv) { int8_t in[DIGITS_INPUT_SIZE], out[DIGITS_OUTPUT_SIZE];\n"
    "  FILE* f; size_t n; int first = 1;\n"
    "  if (argc != 2 || !(f = fopen(argv[1], \"rb\"))) return 2;\n"
    "  n = fread(blob, 1, sizeof blob, f); fclose(f);\n"
    "  while (fread(in, 1, sizeof in, stdin) == sizeof in) {\n"
    "    tq_status st; memset(out, 0x5A, sizeof out);\n"
    "    st = digits_invoke((const uint8_t*)blob, n, in, out, (uint8_t*)arena);\n"
    "    if (first) fprintf(stderr, \"status %d\\n\", (int)st);\n"
    "    first = 0;\n"
    "    if (st == TQ_OK) fwrite(out, 1, sizeof out, stdout);\n"
    "    else if (out[0] != 0x5A) return 3; }\n  return 0; }\n")


def _build_blob_harness(gen, tmp_path):
    (tmp_path / "main.c").write_text(BLOB_MAIN)
    exe = tmp_path / "hb"
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1",
                    f"-I{gen}", *map(str, gen.glob("*.c")), str(tmp_path / "main.c"), "-o",
                    str(exe)], check=True)
    return exe


def test_cli_weights_blob(cli, digits_q, tmp_path):
    import hashlib
    r = cli("export", "--help")
    assert "--weights-blob" in r.stdout
    out = tmp_path / "gen"
    r = cli("export", digits_q, "-o", out, "--name", "digits", "--weights-blob", "--json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)["export"]
    blob = (out / "digits_weights.bin").read_bytes()
    assert str(out / "digits_weights.bin") in rep["files"]
    assert not (out / "digits_weights.c").exists()
    assert rep["weights_blob"] is True and rep["blob_bytes"] == len(blob)
    # Header (tq_blob.h): magic, version, header size, payload size, sha256 of the model file,
    # CRC-32 of the payload and of the header (zlib's crc32 as the reference).
    import struct
    import zlib
    magic, version, hsize, psize = struct.unpack_from("<4sIII", blob, 0)
    assert (magic, version, hsize, psize) == (b"TQWB", 1, 64, len(blob) - 64)
    sha = hashlib.sha256(digits_q.read_bytes()).hexdigest()
    assert blob[16:48].hex() == sha == rep["model_sha256"]
    assert struct.unpack_from("<I", blob, 48)[0] == zlib.crc32(blob[64:])
    assert struct.unpack_from("<I", blob, 60)[0] == zlib.crc32(blob[:60])
    header = (out / "digits.h").read_text()
    assert f"#define DIGITS_BLOB_SIZE {len(blob)}" in header
    assert f"#define DIGITS_WEIGHTS_SIZE {len(blob) - 64}" in header
    assert ("tq_status digits_invoke(const uint8_t* blob, size_t blob_size, const int8_t* input, "
            "int8_t* output, uint8_t* arena);") in header
    # Text report names the blob; usage errors keep their exit codes.
    r = cli("export", digits_q, "-o", tmp_path / "t", "--name", "digits", "--weights-blob")
    assert r.returncode == 0 and "digits_weights.bin" in r.stdout and sha in r.stdout
    r = cli("export", digits_q, "-o", tmp_path / "u", "--name", "bad-name", "--weights-blob")
    assert r.returncode == 5 and not (tmp_path / "u").exists()
    r = cli("export", digits_q, "--weights-blob")  # no -o
    assert r.returncode == 2


def test_python_weights_blob_matches_normal_export_and_rejects_bad_blobs(digits_q, tmp_path):
    normal = tmp_path / "n"
    tinyq.export(str(digits_q), normal, name="digits")
    gen = tmp_path / "b"
    rep = tinyq.export(str(digits_q), gen, name="digits", weights_blob=True)["export"]
    assert rep["weights_blob"] and rep["blob_bytes"] == (gen / "digits_weights.bin").stat().st_size
    (normal / "main.c").write_text(
        '#include <stdio.h>\n#include "digits.h"\n'
        "static uint32_t arena[(DIGITS_ARENA_SIZE + 3) / 4];\n"
        "int main(void) { int8_t in[DIGITS_INPUT_SIZE], out[DIGITS_OUTPUT_SIZE];\n"
        "  while (fread(in, 1, sizeof in, stdin) == sizeof in) {\n"
        "    if (digits_invoke(in, out, (uint8_t*)arena) != TQ_OK) return 1;\n"
        "    fwrite(out, 1, sizeof out, stdout); }\n  return 0; }\n")
    exe_n = tmp_path / "hn"
    subprocess.run(["gcc", "-std=c99", "-O1", *map(str, normal.glob("*.c")), "-o", str(exe_n)],
                   check=True)
    exe_b = _build_blob_harness(gen, tmp_path)
    x = np.random.default_rng(3).integers(-128, 128, size=(16, 64), dtype=np.int8).tobytes()
    ref = subprocess.run([str(exe_n)], input=x, capture_output=True, check=True).stdout
    blob = (gen / "digits_weights.bin").read_bytes()

    def run(data):
        p = tmp_path / "blob.bin"
        p.write_bytes(data)
        r = subprocess.run([str(exe_b), str(p)], input=x, capture_output=True, check=True)
        return r.stderr.decode().strip(), r.stdout

    assert run(blob) == ("status 0", ref)  # byte-identical to the normal export
    bad = bytearray(blob)
    bad[100] ^= 0x40
    assert run(bytes(bad)) == ("status 4", b"")  # corrupt payload
    assert run(blob[:-10]) == ("status 4", b"")  # truncated
    other = tinyq.export(str(digits_q), tmp_path / "o", name="digits", weights_blob=True)
    assert other["export"]["model_sha256"] == rep["model_sha256"]  # same model file, same binding
    # A blob bound to another model (the float model's file) is refused.
    alien = bytearray(blob)
    import hashlib
    import zlib
    alien[16:48] = hashlib.sha256(b"another model").digest()
    alien[60:64] = zlib.crc32(bytes(alien[:60])).to_bytes(4, "little")
    assert run(bytes(alien)) == ("status 3", b"")
