"""tinyq.prune: channel pruning that shrinks shapes, least-squares recovery, magnitude / N:M
pruning and the sensitivity scan (the engine of ``tinyq prune``)."""

import json

from .distill import _xy, warn_training
from .distill import train_options as _train_options
from .model import Model, card_settings
from .quantize import _x_of
from .report import Report


class PrunedModel(Model):
    """The result of :func:`tinyq.prune`: a float Model with smaller shapes plus ``report`` (a
    :class:`tinyq.Report`, verb "prune": ``report["prune"]`` has MACs/params before and after,
    kept channels per group, least-squares errors, scan table, sparse int8 bytes and the
    validation metric before/after; ``report["metric"]`` the float and pruned metric with
    ``val``)."""

    def __init__(self, impl, path, report):
        super().__init__(impl, path)
        self.report = report


def _parse_nm(nm):
    if nm is None:
        return 0, 0
    if isinstance(nm, str):
        n, _, m = nm.partition(":")
        return int(n), int(m)
    return int(nm[0]), int(nm[1])


def prune(model, data, *, card=None, scale=1.0, mean=0.0, std=1.0, metric=None, channels=0.0,
          per_layer=None, global_ranking=False, target_macs=0.0, criterion="l1", recover="none",
          calib_limit=512, magnitude=0.0, nm=None, scan=False, val=None, val_limit=0,
          scan_limit=1000, threads=0, train=None, train_options=None):
    """Prunes a float model; returns a :class:`PrunedModel` (``.save()``, ``.run()``, ``.report``).

    ``model``: a :class:`tinyq.Model` or a path. ``data``: calibration data (path, array x, or
    dict/tuple with x) for the "activation" criterion and ``recover="lsq"``. ``channels``: the
    fraction of channels removed from every prunable group; ``per_layer``: ``{node: ratio}``;
    ``target_macs``: remove at least this fraction of the MACs (searches a uniform ratio).
    ``criterion``: "l1", "l2", "bn" or "activation"; ``global_ranking`` ranks channels across
    groups. ``recover``: "none", "lsq", "distill" or "lsq+distill" (least squares, then
    distillation from there). Distillation: the pruned model is trained with knowledge
    distillation from the unpruned one on ``train`` (path, dict or (x, y) with labels), with
    ``train_options`` a dict of :func:`tinyq.distill`'s training options (``epochs``, ``lr``,
    ``warmup``, ``batch_norm``, ``augment_shift``, ``feature_loss``, ...); the last epoch is kept.
    ``magnitude``: unstructured sparsity per layer (or ``nm="2:4"``). ``val`` (path or (x, y))
    gives the metric before/after and, with ``scan=True``, the per-group sensitivity table.
    """
    from . import load  # noqa: PLC0415
    if not isinstance(model, Model):
        model = load(model)
    scale, mean, std, metric = card_settings(card, scale, mean, std, metric)
    x, _ = _x_of(data, "data")
    val_x = val_y = None
    if val is not None:
        val_x, val_y = _x_of(val, "val")
    nm_n, nm_m = _parse_nm(nm)
    opts = {
        "scale": float(scale), "mean": float(mean), "std": float(std), "metric": metric,
        "channels": float(channels),
        "per_layer": {str(k): float(v) for k, v in (per_layer or {}).items()},
        "global": bool(global_ranking), "target_macs": float(target_macs),
        "criterion": str(criterion), "recover": str(recover), "calib_limit": int(calib_limit),
        "magnitude": float(magnitude), "nm_n": nm_n, "nm_m": nm_m, "scan": bool(scan),
        "scan_limit": int(scan_limit), "val_limit": int(val_limit), "threads": int(threads),
    }
    train_x = train_y = None
    if train is not None:
        train_x, train_y = _xy(train, "train")
    topts = _train_options(**(train_options or {}))
    impl, report = model._impl.prune(x, opts, val_x, val_y, train_x, train_y, topts)
    pruned = PrunedModel(impl, model.path, Report(json.loads(report)))
    warn_training(pruned.report)
    return pruned
