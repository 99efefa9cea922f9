"""tinyq.quantize: post-training int8 quantization (the engine of ``tinyq quantize``)."""

import json
import os

import numpy as np

from .errors import IoError, NotFoundError
from .model import Model, QuantizedModel, card_settings
from .report import Report


def _x_of(data, what):
    """An ndarray x from a path, a dict with "x", a tuple (x, y) or an array."""
    from . import read_dataset  # noqa: PLC0415 (avoid a cycle at import time)
    if isinstance(data, (str, os.PathLike)):
        data = read_dataset(str(data))
    if isinstance(data, dict):
        if "x" not in data:
            raise ValueError(f"{what}: a dict needs an 'x' array")
        return np.asarray(data["x"]), data.get("y")
    if isinstance(data, tuple):
        return np.asarray(data[0]), data[1] if len(data) > 1 else None
    return np.asarray(data), None


def quantize(model, calib, *, card=None, scale=1.0, mean=0.0, std=1.0, metric=None,
             method=None, percentile=99.99, calib_limit=1000, calibration=None,
             float_io=False, reduce_range=False, bias_correction=False, equalize=False,
             float_nodes=(), max_drop=None, val=None, threads=0, adaround=False,
             adaround_iters=1000, adaround_check=True, search=False):
    """Quantizes a float model to int8 (QOp form; ``.save()`` writes QDQ ONNX).

    ``model``: a :class:`tinyq.Model` or a path. ``calib``: calibration data (path, array x, or
    dict/tuple with x). ``card`` supplies preprocessing (``((x * scale) - mean) / std``) and
    metric. ``method``: "minmax", "percentile" (the default, at ``percentile``), "entropy",
    "mse" or "auto". ``calibration``: a
    saved table (dict or path; skips calibration). ``reduce_range``: 7-bit weights (for ONNX
    Runtime on x86 without VNNI, whose u8*s8 kernels saturate). ``max_drop`` (metric points,
    AUC x 100) with ``val`` (path or (x, y)) moves the most sensitive layers to float until the
    drop fits. ``adaround``: learned rounding of the int8 weights against each float layer's output
    on the calibration data (``adaround_iters`` Adam steps per layer; ``report["quantize"]["adaround"]``),
    kept only if the whole model then does better than with round-to-nearest on ``val`` (or, without
    it, the calibration data): ``report["quantize"]["adaround_guard"]``; ``adaround_check=False``
    keeps the learned rounding without that check.
    ``search`` with ``val`` (held out from the training data, never the test set): quantizes with
    each candidate configuration (calibration methods, bias correction, AdaRound) and keeps the
    best on ``val`` (``report["quantize"]["search"]``).
    Returns a :class:`tinyq.QuantizedModel` with ``.run()``, ``.save()``, ``.report`` (a
    :class:`tinyq.Report`, as ``tinyq quantize --report`` writes it).
    """
    from . import load  # noqa: PLC0415
    if not isinstance(model, Model):
        model = load(model)
    scale, mean, std, metric = card_settings(card, scale, mean, std, metric)
    x, _ = _x_of(calib, "calib")
    table, table_source = "", "calibration"
    if calibration is not None:
        if isinstance(calibration, (str, os.PathLike)):
            table_source = str(calibration)  # errors name the file, as the CLI's do
            try:
                with open(calibration) as f:
                    table = f.read()
            except FileNotFoundError:
                raise NotFoundError(f"{calibration}: no such file") from None
            except OSError as e:
                raise IoError(f"{calibration}: cannot read: {e.strerror}") from None
        else:
            table = json.dumps(calibration)
    if search and method is not None:
        raise ValueError("search chooses the calibration method itself; drop method=")
    method = method or "percentile"
    val_x = val_y = None
    if max_drop is not None or search:
        if val is None:
            raise ValueError("max_drop and search need a validation set (val=path or (x, y))")
    if not adaround_check and not adaround:
        raise ValueError("adaround_check=False goes with adaround=True")
    if val is not None:
        if max_drop is None and not search and not adaround:
            raise ValueError("val goes with max_drop, search or adaround")
        val_x, val_y = _x_of(val, "val")
        if val_y is None:
            raise ValueError("val needs labels: a path to an .npz with x and y, or (x, y)")
    impl, report, table_json = model._impl.quantize(
        x, float(scale), float(mean), float(std), metric, method, float(percentile),
        int(calib_limit), table, table_source, bool(float_io), bool(reduce_range),
        bool(bias_correction), bool(equalize), [str(n) for n in float_nodes],
        -1.0 if max_drop is None else float(max_drop), val_x, val_y, int(threads),
        bool(adaround), int(adaround_iters), bool(adaround_check), bool(search))
    return QuantizedModel(impl, model.path, Report(json.loads(report)), json.loads(table_json))
