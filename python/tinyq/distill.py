"""tinyq.distill / tinyq.train: knowledge distillation and label training (``tinyq distill``)."""

import json

import numpy as np

from .model import Model, card_settings
from .report import Report


def _xy(data, what):
    """(x, y) ndarrays from a path, a dict with x and y, or a tuple (x, y)."""
    from . import read_dataset  # noqa: PLC0415 (avoid a cycle at import time)
    if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__"):
        data = read_dataset(str(data))
    if isinstance(data, dict):
        x, y = data.get("x"), data.get("y")
    elif isinstance(data, tuple) and len(data) == 2:
        x, y = data
    else:
        raise ValueError(f"{what}: expected a path, a dict with x and y, or a tuple (x, y)")
    if x is None or y is None:
        raise ValueError(f"{what}: training needs x and labels y")
    return np.asarray(x), np.asarray(y)


def distill(student, teacher, data, *, val=None, card=None, scale=1.0, mean=0.0, std=1.0,
            epochs=5, batch=64, lr=0.002, optimizer="adam", momentum=0.9, weight_decay=0.0,
            schedule="cosine", temperature=4.0, alpha=0.9, labels_only=False, seed=1, limit=0,
            teacher_cache=None):
    """Trains a copy of ``student`` with knowledge distillation from ``teacher``.

    Loss per sample: ``(1 - alpha) * CE(labels) + alpha * T^2 * KL(softmax(t/T) || softmax(s/T))``.
    ``student``/``teacher``: :class:`tinyq.Model` or paths (``teacher`` may be None with
    ``labels_only``). ``data``/``val``: a path, ``{"x", "y"}`` or ``(x, y)``. ``card`` supplies the
    preprocessing ``((x * scale) - mean) / std``. The same ``seed`` gives byte-identical weights.
    Returns the trained :class:`tinyq.Model`; its ``.report`` (a :class:`tinyq.Report`, verb
    "distill", or "train" without a teacher) holds the per-epoch losses, validation top-1 and the
    kept epoch (``report["distill"]``; ``report["metric"]["float"]`` with ``val``) and the
    training speed (``report["timing"]``: samples/s, teacher seconds, seconds per epoch).
    """
    from . import load  # noqa: PLC0415
    if not isinstance(student, Model):
        student = load(student)
    if teacher is not None and not isinstance(teacher, Model):
        teacher = load(teacher)
    if teacher is None and not labels_only:
        raise ValueError("distill needs a teacher unless labels_only=True")
    scale, mean, std, _ = card_settings(card, scale, mean, std, None)
    x, y = _xy(data, "data")
    val_x = val_y = None
    if val is not None:
        val_x, val_y = _xy(val, "val")
    impl, report = student._impl.distill(
        None if teacher is None else teacher._impl, x, y, val_x, val_y, float(scale), float(mean),
        float(std), int(epochs), int(batch), float(lr), optimizer, float(momentum),
        float(weight_decay), schedule, float(temperature), float(alpha), bool(labels_only),
        int(seed), int(limit), str(teacher_cache or ""))
    model = Model(impl, student.path)
    model.report = Report(json.loads(report))
    return model


def train(model, data, **kwargs):
    """Label-only training (``tinyq train``): :func:`distill` without a teacher."""
    kwargs["labels_only"] = True
    return distill(model, None, data, **kwargs)
