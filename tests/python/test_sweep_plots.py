"""tinyq.sweep (in process and on a local Dask cluster of several worker processes) and the
matplotlib plots of tinyq.plots, on reports of real runs."""
import json

import matplotlib
import pytest

import tinyq
import tinyq.plots as tp

matplotlib.use("Agg")

ZOO = "benchmarks/zoo/digits_mlp"


def common(root):
    return dict(calib=root / "datasets/out/digits_calib.npz", card=root / ZOO / "card.json")


@pytest.fixture(scope="module")
def local_rows(root, tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    return tinyq.sweep(root / ZOO / "model.onnx", root / "datasets/out/digits_test.npz", out,
                       grid={"method": ["minmax", "mse"], "bias_correction": [False, True]},
                       **common(root))


def test_sweep_rows_match_single_shrink_runs(local_rows, root, tmp_path):
    assert [r["label"] for r in local_rows.rows] == [
        "method=minmax,bias_correction=False", "method=minmax,bias_correction=True",
        "method=mse,bias_correction=False", "method=mse,bias_correction=True"]
    one = tinyq.shrink(root / ZOO / "model.onnx", root / "datasets/out/digits_test.npz",
                       tmp_path / "one", method="mse", bias_correction=True, **common(root))
    row = local_rows.rows[3]
    assert row["int8"] == one.metric["int8"] and row["float"] == one.metric["float"]
    assert local_rows.best()["int8"] == max(r["int8"] for r in local_rows.rows)
    assert "| label |" in local_rows._repr_markdown_()


def test_sweep_on_a_local_dask_cluster_gives_the_same_rows(local_rows, root, tmp_path):
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        rows = tinyq.sweep(root / ZOO / "model.onnx", root / "datasets/out/digits_test.npz",
                           tmp_path, grid={"method": ["minmax", "mse"],
                                           "bias_correction": [False, True]},
                           client=client, **common(root))
    assert len({r["worker"] for r in rows.rows}) == 2      # both worker processes ran configs
    strip = lambda r: {k: v for k, v in r.items() if k not in ("worker", "out_dir")}  # noqa: E731
    assert [strip(r) for r in rows.rows] == [strip(r) for r in local_rows.rows]


def test_plots_draw_what_the_reports_hold(root, tmp_path, local_rows):
    rep = tinyq.shrink(root / ZOO / "model.onnx", root / "datasets/out/digits_test.npz",
                       tmp_path / "r", **common(root))
    d = rep.to_dict()
    ax = tp.sqnr(rep)
    assert len(ax.patches) == len(d["quantize"]["layers"])
    ax = tp.confusion(rep)
    assert ax.images[0].get_array().shape == (10, 10)
    ax = tp.memory_timeline(d)
    owners = [b for b in d["export"]["buffers"] if not b["shared_with"]]
    assert len(ax.patches) == len(owners) and ax.get_ylim()[1] == d["export"]["arena_bytes"]
    ax = tp.accuracy_vs_flash(local_rows)
    assert len(ax.collections[0].get_offsets()) == len(local_rows)
    with pytest.raises(ValueError, match="confusion"):
        tp.confusion({"evaluation": {"confusion_int8": []}})
    json.dumps(local_rows.to_dict())


def test_evaluate_and_report_objects(root, build_dir, tmp_path):
    r = tinyq.evaluate(root / ZOO / "model.onnx", root / "datasets/out/digits_test.npz",
                       card=root / ZOO / "card.json")
    card = json.loads((root / ZOO / "card.json").read_text())
    assert isinstance(r, tinyq.Report) and r.verb == "eval" and r.sections == ["eval"]
    assert r["eval"]["metric"] == "top1" and abs(r["eval"]["value"] - card["float_metric"]) < 0.1
    assert r["metric"]["float"] == r["eval"]["value"] and r["eval"]["executor"] == "float"
    assert r["eval"]["data"] == str(root / "datasets/out/digits_test.npz")
    md = r._repr_markdown_()
    assert r.to_dict() == dict(r) and "| value |" in md and "| metric | float | samples |" in md
