"""tinyq targets / budget through the CLI and Python, on the hand-built generated-C fixture
(tests/testdata/target/tiny + src/runtime, made by tests/testdata/gen_target_fixture.py)."""
import json
import shutil

import pytest

import tinyq
from conftest import ROOT, TESTDATA


@pytest.fixture()
def tiny_dir(tmp_path):
    d = tmp_path / "tiny"
    d.mkdir()
    for f in (TESTDATA / "target" / "tiny").glob("tiny*"):
        shutil.copy(f, d)
    for f in (ROOT / "src" / "runtime").glob("tq_*"):
        shutil.copy(f, d)
    return d


def test_targets_cli_and_python_agree(cli):
    r = cli("targets", "--json")
    assert r.returncode == 0, r.stderr
    boards = json.loads(r.stdout)["boards"]
    assert boards == tinyq.targets()
    ids = {b["id"] for b in boards}
    assert {"nano33ble", "nucleo_l4r5zi", "stm32f746_disco", "nucleo_h7a3zi", "pico", "esp32s3",
            "sparkfun_edge", "nrf5340", "samd21"} <= ids
    assert any(b["ram_bytes"] <= 32 * 1024 and b["core"] == "cortex-m0plus" for b in boards)
    text = cli("targets")
    assert text.returncode == 0 and "nucleo_l4r5zi" in text.stdout
    assert cli("targets", "--help").returncode == 0


def test_bad_profile_names_file_and_field(cli, tmp_path):
    p = tmp_path / "board.json"
    p.write_text('{"name": "b", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 0, "ram_kb": 8}')
    r = cli("targets", "--profile", p)
    assert r.returncode == 5
    assert str(p) in r.stderr and "flash_kb" in r.stderr
    with pytest.raises(tinyq.InvalidArgumentError, match="flash_kb"):
        tinyq.targets(profile=p)
    p.write_text('{"name": "b", "core": "z80", "clock_mhz": 8, "flash_kb": 32, "ram_kb": 2}')
    with pytest.raises(tinyq.InvalidArgumentError, match="unknown core 'z80'"):
        tinyq.targets(profile=p)


def test_budget_fits_cli_and_python(cli, tiny_dir):
    r = cli("budget", tiny_dir, "--target", "nucleo_l4r5zi", "--json", "--rate", "1/s",
            "--battery", "220mAh@3V")
    assert r.returncode == 0, r.stderr
    envelope = json.loads(r.stdout)
    assert envelope["format"] == "tinyq.report" and envelope["verb"] == "budget"
    j = envelope["budget"]
    assert j["fits"] is True and j["failures"] == []
    assert envelope["footprint"]["flash_bytes"] == j["flash"]["total_bytes"]
    assert envelope["footprint"]["ram_limit_bytes"] == j["ram"]["available_bytes"]
    assert "sha256" not in envelope["model"]  # a C directory, not a model file
    assert j["ram"]["arena_bytes"] == 48 and j["ram"]["input_bytes"] == 16
    assert j["flash"]["total_bytes"] == (j["flash"]["weights_bytes"] + j["flash"]["code_bytes"]
                                         + j["flash"]["data_bytes"])
    assert j["measured"]["instructions_per_inference"] > 0
    assert j["estimates"]["battery_life_days"] > 0 and j["estimates"]["assumptions"]
    py = tinyq.budget(tiny_dir, "nucleo_l4r5zi", rate="1/s", battery="220mAh@3V")
    assert isinstance(py, tinyq.Report) and py["footprint"] == envelope["footprint"]
    for key in ("fits", "flash", "ram", "failures"):
        assert py["budget"][key] == j[key], key
    assert py["budget"]["measured"]["instructions_per_inference"] == \
        j["measured"]["instructions_per_inference"]
    text = cli("budget", tiny_dir, "--target", "nucleo_l4r5zi")
    assert text.returncode == 0 and "FITS" in text.stdout and "instructions" in text.stdout


def test_budget_does_not_fit_exit_1_and_says_by_how_much(cli, tiny_dir, tmp_path):
    r = cli("budget", tiny_dir, "--target", "samd21", "--flash", "1K", "--json")
    assert r.returncode == 1, r.stderr
    j = json.loads(r.stdout)["budget"]
    assert j["fits"] is False
    (fail,) = j["failures"]
    assert fail["limit"] == "flash" and fail["available_bytes"] == 1024
    assert fail["over_by_bytes"] == j["flash"]["total_bytes"] - 1024
    profile = tmp_path / "small.json"
    profile.write_text('{"name": "small", "core": "cortex-m0plus", "clock_mhz": 16, '
                       '"flash_kb": 64, "ram_kb": 0.25}')
    py = tinyq.budget(tiny_dir, profile=profile)["budget"]
    assert py["fits"] is False and py["failures"][0]["limit"] == "ram"
    assert py["failures"][0]["over_by_bytes"] == py["ram"]["total_bytes"] - 256


def test_budget_errors(cli, tiny_dir):
    r = cli("budget", tiny_dir, "--target", "arduino_uno")
    assert r.returncode == 6 and "unknown board" in r.stderr
    r = cli("budget", tiny_dir, "--target", "pico", "--battery", "lots")
    assert r.returncode == 5 and "--battery" in r.stderr
    assert cli("budget", "--help").returncode == 0
    assert cli("budget", tiny_dir).returncode == 5          # no board
    with pytest.raises(tinyq.NotFoundError):
        tinyq.budget(tiny_dir / "missing", "pico")


DIGITS = "benchmarks/zoo/digits_mlp"


def test_budget_of_onnx_models_exports_first(cli, tmp_path):
    q = tmp_path / "digits.int8.onnx"
    r = cli("quantize", ROOT / DIGITS / "model.onnx", "--calib",
            ROOT / "datasets/out/digits_calib.npz", "--card", ROOT / DIGITS / "card.json",
            "--calib-limit", "300", "-o", q)
    assert r.returncode == 0, r.stderr
    r = cli("budget", q, "--target", "samd21", "--json")
    assert r.returncode == 0, r.stderr
    envelope = json.loads(r.stdout)
    j = envelope["budget"]
    assert envelope["footprint"]["const_bytes"] == j["flash"]["exported_weight_bytes"]
    layers = j["layers"]
    assert layers and j["measured"]["total_macs"] == sum(l["macs"] for l in layers) > 0
    assert j["measured"]["macs_per_instruction"] == pytest.approx(
        j["measured"]["total_macs"] / j["measured"]["instructions_per_inference"])
    assert 0 < j["ram"]["arena_lower_bound_bytes"] <= j["ram"]["arena_bytes"]
    # The .tq_weights section of the ELF holds exactly the constants the exporter emitted.
    assert j["flash"]["weights_bytes"] == j["flash"]["exported_weight_bytes"] > 0
    # A float model is quantized first with --calib; without it, a precondition error.
    r = cli("budget", ROOT / DIGITS / "model.onnx", "--target", "samd21")
    assert r.returncode == 5 and "--calib" in r.stderr
    py = tinyq.budget(ROOT / DIGITS / "model.onnx", "pico", calib=ROOT / "datasets/out/digits_calib.npz",
                      card=ROOT / DIGITS / "card.json")
    assert py["budget"]["fits"] is True and py["budget"]["layers"]
