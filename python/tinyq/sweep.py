"""tinyq.sweep: a grid of shrink configurations, run here or spread over a Dask cluster.

    rows = tinyq.sweep("model.onnx", "test.npz", "out/sweep",
                       grid={"method": ["minmax", "mse"], "prune_channels": [0.0, 0.25]},
                       calib="calib.npz", card="card.json", target="nucleo_l4r5zi")
    rows.table()            # one row per configuration: metric, flash, RAM, fits
    tinyq.plots.accuracy_vs_flash(rows)

With ``client=distributed.Client(...)`` (Debian ``python3-distributed``) every configuration is one
task on the cluster's workers; each worker imports tinyq itself, so the workers need the same
``PYTHONPATH`` and the files at the same paths (a local cluster, or a shared file system).
"""

import itertools
import json
import os


def _label(config):
    return ",".join(f"{k}={v}" for k, v in config.items()) or "default"


def run_config(job):
    """Runs one configuration (a dict of :func:`tinyq.shrink` arguments plus ``label``,
    ``out_dir``, ``model``, ``data`` and ``config``); returns its row. Used by the workers."""
    from . import shrink  # noqa: PLC0415
    kw = dict(job)
    label, out, model, data, config = (kw.pop(k) for k in ("label", "out_dir", "model", "data",
                                                           "config"))
    rep = shrink(model, data, out, force=True, **kw)
    d = rep.to_dict()
    fp = d["footprint"]
    worker = ""
    try:
        from distributed import get_worker  # noqa: PLC0415
        worker = get_worker().address
    except (ImportError, ValueError):
        pass
    return {"label": label, **config, "metric": d["metric"]["name"],
            "float": d["metric"]["float"], "int8": d["metric"]["int8"],
            "int8_weight_bytes": fp["int8_weight_bytes"], "arena_bytes": fp["arena_bytes"],
            "flash_bytes": fp.get("flash_bytes"), "ram_bytes": fp.get("ram_bytes"),
            "fits": fp.get("fits"), "passed": rep.passed, "out_dir": out, "worker": worker}


class SweepResult:
    """The rows of a sweep (``.rows``: list of dicts), ``.table()`` as text, ``.best()``,
    ``.to_dict()``, and a Markdown table in notebooks."""

    COLUMNS = ("label", "float", "int8", "int8_weight_bytes", "flash_bytes", "ram_bytes", "fits")

    def __init__(self, rows):
        self.rows = list(rows)

    def to_dict(self):
        return {"rows": json.loads(json.dumps(self.rows))}

    def best(self, require_fit=True):
        """The configuration with the highest int8 metric (among those that fit, by default),
        ties broken by fewer flash/weight bytes."""
        rows = [r for r in self.rows if r["fits"] is not False] if require_fit else self.rows
        if not rows:
            return None
        return max(rows, key=lambda r: (r["int8"], -(r["flash_bytes"] or r["int8_weight_bytes"])))

    def _cells(self, r):
        return [f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c]) for c in self.COLUMNS]

    def table(self):
        lines = [self.COLUMNS] + [self._cells(r) for r in self.rows]
        widths = [max(len(str(l[i])) for l in lines) for i in range(len(self.COLUMNS))]
        return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(l, widths)) for l in lines)

    def __len__(self):
        return len(self.rows)

    def __repr__(self):
        return self.table()

    def _repr_markdown_(self):
        head = "| " + " | ".join(self.COLUMNS) + " |\n|" + "---|" * len(self.COLUMNS) + "\n"
        return head + "".join("| " + " | ".join(self._cells(r)) + " |\n" for r in self.rows)


def sweep(model, data, out_dir, grid, *, client=None, **common):
    """Runs :func:`tinyq.shrink` for every combination of ``grid`` (a dict of argument name ->
    list of values, e.g. ``{"method": ["minmax", "mse"], "target": ["pico", "samd21"]}``) plus
    the ``common`` arguments, each into ``out_dir/<n>``. ``model``/``data`` (and ``calib``,
    ``train``) are paths (arrays are written once to ``out_dir``). With a Dask ``client`` the
    runs are tasks on its workers. Returns a :class:`SweepResult` in grid order."""
    from .shrink import _as_path  # noqa: PLC0415
    if not isinstance(grid, dict) or not all(isinstance(v, (list, tuple)) and v
                                             for v in grid.values()):
        raise ValueError("grid: a dict of argument name -> non-empty list of values")
    os.makedirs(out_dir, exist_ok=True)
    model = os.fspath(getattr(model, "path", model))
    data = _as_path(data, out_dir, "data")
    for k in ("calib", "train"):
        if k in common and common[k] is not None:
            common[k] = _as_path(common[k], out_dir, k)
    jobs = []
    for i, values in enumerate(itertools.product(*grid.values())):
        config = dict(zip(grid.keys(), values))
        jobs.append({**common, **config, "config": config, "label": _label(config),
                     "out_dir": os.path.join(os.fspath(out_dir), str(i)), "model": model,
                     "data": data})
    if client is None:
        rows = [run_config(j) for j in jobs]
    else:
        rows = client.gather(client.map(run_config, jobs, pure=False))
    return SweepResult(rows)


__all__ = ["sweep", "SweepResult", "run_config"]
