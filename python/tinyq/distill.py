"""tinyq.distill / tinyq.train: knowledge distillation and label training (``tinyq distill``)."""

import json
import warnings

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


def _feature_specs(feature_loss):
    """["TEACHER:STUDENT[:WEIGHT]", ...] from strings or (teacher, student[, weight]) tuples."""
    specs = []
    for f in feature_loss or []:
        if isinstance(f, str):
            specs.append(f)
        else:
            specs.append(":".join(str(p) for p in f))
    return specs


def train_options(*, scale=1.0, mean=0.0, std=1.0, epochs=5, batch=64, lr=0.002,
                  optimizer="adam", momentum=0.9, weight_decay=0.0, schedule="cosine",
                  warmup=0.0, batch_norm="frozen", bn_recalibrate=0, augment_shift=0,
                  augment_flip=False, temperature=4.0, alpha=0.9, labels_only=False, seed=1,
                  limit=0, teacher_cache=None, feature_loss=None):
    """The training options shared by :func:`distill`, :func:`train` and
    ``tinyq.prune(recover="distill")``, as the dict the engine reads."""
    return {
        "scale": float(scale), "mean": float(mean), "std": float(std), "epochs": int(epochs),
        "batch": int(batch), "lr": float(lr), "optimizer": str(optimizer),
        "momentum": float(momentum), "weight_decay": float(weight_decay),
        "schedule": str(schedule), "warmup": float(warmup), "batch_norm": str(batch_norm),
        "bn_recalibrate": int(bn_recalibrate), "augment_shift": int(augment_shift),
        "augment_flip": bool(augment_flip), "temperature": float(temperature),
        "alpha": float(alpha), "labels_only": bool(labels_only), "seed": int(seed),
        "limit": int(limit), "teacher_cache": str(teacher_cache or ""),
        "feature_loss": _feature_specs(feature_loss),
    }


def distill(student, teacher, data, *, val=None, card=None, scale=1.0, mean=0.0, std=1.0,
            **options):
    """Trains a copy of ``student`` with knowledge distillation from ``teacher``.

    Loss per sample: ``(1 - alpha) * CE(labels) + alpha * T^2 * KL(softmax(t/T) || softmax(s/T))``
    plus, for every ``feature_loss`` entry ``"TEACHER_TENSOR:STUDENT_TENSOR[:WEIGHT]"`` (or a
    tuple), ``WEIGHT * mean((student_tensor - teacher_tensor)^2)``.
    ``student``/``teacher``: :class:`tinyq.Model` or paths (``teacher`` may be None with
    ``labels_only``). ``data``/``val``: a path, ``{"x", "y"}`` or ``(x, y)``. ``card`` supplies the
    preprocessing ``((x * scale) - mean) / std``. Training options (as the CLI flags): ``epochs``
    (5), ``batch`` (64), ``lr`` (0.002), ``optimizer`` ("adam" | "sgd"), ``momentum``,
    ``weight_decay``, ``schedule`` ("cosine" | "constant"), ``warmup`` (epochs), ``batch_norm``
    ("frozen" | "train"), ``bn_recalibrate`` (samples), ``augment_shift`` (pixels),
    ``augment_flip``, ``temperature`` (4), ``alpha`` (0.9), ``labels_only``, ``seed``, ``limit``,
    ``teacher_cache``. The same ``seed`` gives byte-identical weights.
    Returns the trained :class:`tinyq.Model`; its ``.report`` (a :class:`tinyq.Report`, verb
    "distill", or "train" without a teacher) holds the per-epoch losses, validation top-1 and the
    kept epoch (``report["distill"]``; ``report["metric"]["float"]`` with ``val``; the teacher's
    top-1 on ``val`` is ``report["distill"]["teacher_val_top1"]``) and the
    training speed (``report["timing"]``: samples/s, teacher seconds, seconds per epoch).
    With a KD term, ``report["distill"]["teacher_soft_labels"]`` gives the teacher's mean
    soft-label entropy and top probability at T = 1, 2, 4, 8 and ``temperature``; when they are
    nearly uniform at ``temperature`` (mean entropy >= 0.9 ln(classes)) a ``UserWarning`` is
    issued (also in ``report["distill"]["warnings"]``).
    """
    from . import load  # noqa: PLC0415
    if not isinstance(student, Model):
        student = load(student)
    if teacher is not None and not isinstance(teacher, Model):
        teacher = load(teacher)
    if teacher is None and not options.get("labels_only", False):
        raise ValueError("distill needs a teacher unless labels_only=True")
    scale, mean, std, _ = card_settings(card, scale, mean, std, None)
    x, y = _xy(data, "data")
    val_x = val_y = None
    if val is not None:
        val_x, val_y = _xy(val, "val")
    opts = train_options(scale=scale, mean=mean, std=std, **options)
    impl, report = student._impl.distill(None if teacher is None else teacher._impl, x, y, val_x,
                                         val_y, opts)
    model = Model(impl, student.path)
    model.report = Report(json.loads(report))
    warn_training(model.report)
    return model


def warn_training(report):
    """Issues each ``report["distill"]["warnings"]`` entry (e.g. a teacher whose soft labels are
    nearly uniform at the chosen temperature) as a :class:`UserWarning`."""
    for w in (report.get("distill") or {}).get("warnings", []):
        warnings.warn(w, UserWarning, stacklevel=3)


def train(model, data, **kwargs):
    """Label-only training (``tinyq train``): :func:`distill` without a teacher."""
    kwargs["labels_only"] = True
    return distill(model, None, data, **kwargs)
