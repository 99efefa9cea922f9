"""tinyq.shrink: the one-command pipeline (the engine of ``tinyq shrink``)."""

import json
import os
import tempfile

import numpy as np

from .distill import warn_training
from .report import Report


class ShrinkReport(Report):
    """The result of :func:`shrink`: a :class:`tinyq.Report` of the run (verb "shrink", the
    contents of ``out_dir/report.json``) plus the printed ``summary``, ``passed`` (every gate
    held), ``failures`` and ``out_dir``. Displays as report.html (summary and plots) in a
    notebook."""

    def __init__(self, report_json, summary, passed, failures, out_dir):
        super().__init__(json.loads(report_json))
        self.summary = summary
        self.passed = passed
        self.failures = list(failures)
        self.out_dir = out_dir

    @property
    def metric(self):
        """{"name", "float", "int8", ...} of the evaluation."""
        return dict(self["metric"])

    def __str__(self):
        return self.summary

    def __repr__(self):
        m = self["metric"]
        return (f"ShrinkReport({m['name']}: float {m['float']:.4g} -> int8 {m['int8']:.4g}, "
                f"passed={self.passed}, out_dir={self.out_dir!r})")

    def _repr_html_(self):
        path = os.path.join(self.out_dir, "report.html")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                html = f.read()
            start, end = html.find("<body>"), html.rfind("</body>")
            if start >= 0 and end > start:
                return html[start + len("<body>"):end]
        return "<pre>" + self.summary.replace("<", "&lt;") + "</pre>"


def _as_path(data, tmp, name):
    """A dataset path from a path, a dict with x/y, or an (x, y) tuple (written to a temp .npz)."""
    if data is None or isinstance(data, (str, os.PathLike)):
        return "" if data is None else os.fspath(data)
    if isinstance(data, tuple):
        data = {"x": data[0], "y": data[1]} if len(data) > 1 else {"x": data[0]}
    if not isinstance(data, dict) or "x" not in data:
        raise TypeError(f"{name}: expected a path, a dict with 'x' (and 'y'), or a tuple (x, y)")
    path = os.path.join(tmp, name + ".npz")
    np.savez(path, **{k: np.asarray(v) for k, v in data.items()})
    return path


def shrink(model, data, out_dir, *, calib=None, card=None, target=None, name=None,
           method="percentile", calib_limit=1000, bias_correction=False, equalize=False,
           max_drop=None, eval_limit=0, force=False, threads=0, prune_channels=0.0,
           criterion="l1", distill=False, train=None, epochs=3, flash=None, ram=None,
           adaround=False, adaround_iters=1000):
    """Runs the whole pipeline on ``model`` (a path or a :class:`tinyq.Model` loaded from a file):
    optimize, calibrate, quantize, evaluate float and int8 on ``data``, export, and write
    ``out_dir`` with the models and report.{json,md,html}. Same options as ``tinyq shrink``.

    ``target`` is a board id (:func:`tinyq.targets`) or a profile JSON; ``flash``/``ram`` override
    its limits ("256K"). ``prune_channels`` removes that fraction of each channel group first,
    recovered by least squares, or by distillation from the original on ``train`` with
    ``distill=True``. ``adaround`` learns the rounding of the int8 weights (as
    :func:`tinyq.quantize`). ``data``/``calib``/``train`` are paths or arrays (dict with x/y, or
    (x, y)).
    Returns a
    :class:`ShrinkReport`; a failed gate (``max_drop``, the board's budget) gives
    ``passed=False``, not an exception. Errors raise :class:`tinyq.Error` subclasses.
    """
    from . import _tinyq  # noqa: PLC0415
    path = getattr(model, "path", model)
    with tempfile.TemporaryDirectory(prefix="tinyq_shrink_") as tmp:
        r = _tinyq.shrink(os.fspath(path), _as_path(data, tmp, "data"), os.fspath(out_dir),
                          _as_path(calib, tmp, "calib"), "" if card is None else os.fspath(card),
                          target or "", name or "", method, int(calib_limit),
                          bool(bias_correction), bool(equalize),
                          -1.0 if max_drop is None else float(max_drop), int(eval_limit),
                          bool(force), int(threads), float(prune_channels), criterion,
                          bool(distill), _as_path(train, tmp, "train"), int(epochs),
                          "" if flash is None else str(flash), "" if ram is None else str(ram),
                          bool(adaround), int(adaround_iters))
    rep = ShrinkReport(*r, os.fspath(out_dir))
    warn_training(rep)
    return rep
