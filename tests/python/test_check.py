"""`tinyq check` (CI gate) through the CLI and Python: exit codes, JUnit XML, Markdown, errors."""
import json
import xml.etree.ElementTree as ET

import pytest

import tinyq


def write_report(path, flt=90.5, int8=90.3, flash=50_000, ram=20_000, limits=None):
    fp = {"flash_bytes": flash, "ram_bytes": ram}
    if limits:
        fp["flash_limit_bytes"], fp["ram_limit_bytes"] = limits
    path.write_text(json.dumps({
        "format": "tinyq.report", "version": 1, "verb": "shrink",
        "metric": {"name": "top1", "higher_is_better": True, "float": flt, "int8": int8},
        "footprint": fp}))
    return path


def test_cli_passes_within_limits_and_writes_junit_and_markdown(cli, tmp_path):
    base = write_report(tmp_path / "base.json")
    cur = write_report(tmp_path / "cur.json", int8=90.2, flash=51_000, ram=20_000)
    r = cli("check", cur, "--baseline", base, "--max-accuracy-drop", "0.5",
            "--max-flash-growth", "5", "--max-ram-growth", "0",
            "--junit", tmp_path / "j.xml", "--markdown", tmp_path / "m.md")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS  flash growth vs baseline: 2.00%" in r.stdout
    suite = ET.parse(tmp_path / "j.xml").getroot()
    assert suite.get("tests") == "4" and suite.get("failures") == "0"
    names = [t.get("name") for t in suite.iter("testcase")]
    assert "int8 top1 drop vs baseline" in names and "RAM growth vs baseline" in names
    assert "✅ passed" in (tmp_path / "m.md").read_text()


def test_cli_exits_1_on_each_kind_of_regression(cli, tmp_path):
    base = write_report(tmp_path / "base.json")
    cases = {
        "int8 top1 drop vs baseline": dict(flt=89.2, int8=89.0),
        "flash growth vs baseline": dict(flash=60_000),
        "RAM growth vs baseline": dict(ram=30_000),
    }
    for name, kw in cases.items():
        cur = write_report(tmp_path / "cur.json", **kw)
        r = cli("check", cur, "--baseline", base, "--max-accuracy-drop", "0.5",
                "--max-flash-growth", "5", "--max-ram-growth", "5", "--junit", tmp_path / "j.xml")
        assert r.returncode == 1, (name, r.stdout, r.stderr)
        assert f"FAIL  {name}" in r.stdout
        failed = [t.get("name") for t in ET.parse(tmp_path / "j.xml").getroot().iter("testcase")
                  if t.find("failure") is not None]
        assert failed == [name]


def test_cli_board_limits_trip_without_flags(cli, tmp_path):
    cur = write_report(tmp_path / "r.json", flash=300_000, limits=(256_000, 64_000))
    r = cli("check", cur)
    assert r.returncode == 1
    assert "FAIL  flash fits the board: 300000 (limit 256000" in r.stdout


def test_cli_errors_have_documented_exit_codes_and_leave_no_output(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "tinyq.report", "version": 1, "metric": {"name": "top1", "int8": "x"}}')
    r = cli("check", bad, "--max-accuracy-drop", "1", "--junit", tmp_path / "j.xml")
    assert r.returncode == 5
    assert str(bad) in r.stderr and "metric.int8" in r.stderr
    assert not (tmp_path / "j.xml").exists()
    assert cli("check", tmp_path / "missing.json", "--max-accuracy-drop", "1").returncode == 6
    assert cli("check", bad, "--max-accuracy-drop", "x").returncode == 2
    newer = tmp_path / "newer.json"
    newer.write_text('{"format": "tinyq.report", "version": 99}')
    assert cli("check", newer, "--max-accuracy-drop", "1").returncode == 4


def test_python_check_mirrors_the_cli(tmp_path):
    base = write_report(tmp_path / "base.json")
    cur = write_report(tmp_path / "cur.json", int8=89.0)
    res = tinyq.check(cur, base, max_accuracy_drop=0.5, junit=tmp_path / "j.xml",
                      markdown=tmp_path / "m.md")
    assert not res and not res.passed and res.failures == 2
    d = res.to_dict()
    drops = {c["name"]: c["value"] for c in d["checks"]}
    assert drops["int8 top1 drop vs float"] == pytest.approx(1.5)
    assert drops["int8 top1 drop vs baseline"] == pytest.approx(1.3)
    assert "❌ failed" in res._repr_markdown_()
    assert (tmp_path / "j.xml").exists() and (tmp_path / "m.md").exists()
    assert tinyq.check(base, base, max_accuracy_drop=0.5, max_flash_growth=0).passed
    with pytest.raises(tinyq.InvalidArgumentError, match="nothing to check"):
        tinyq.check(cur)


def test_committed_baselines_of_every_version_are_read(cli, root):
    """benchmarks/baselines (written by `tinyq shrink`, format version 1 or later) stay readable:
    each checked against itself passes every check, growth included."""
    bases = sorted((root / "benchmarks" / "baselines").glob("*.json"))
    assert bases
    for base in bases:
        r = cli("check", base, "--baseline", base, "--max-accuracy-drop", 100,
                "--max-flash-growth", 0, "--max-ram-growth", 0)
        assert r.returncode == 0, (base, r.stdout, r.stderr)
        assert "PASS  flash growth vs baseline: 0.00%" in r.stdout, r.stdout
        assert "PASS  int8 " in r.stdout and "drop vs baseline: 0.00 pt" in r.stdout, r.stdout
