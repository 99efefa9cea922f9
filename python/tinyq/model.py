"""tinyq.Model: a loaded ONNX model that runs on tinyq's reference executor."""

import json

import numpy as np

from . import _tinyq
from .errors import InvalidArgumentError, IoError, NotFoundError


def _read_card(path):
    """A model card file as a dict; the engine's errors (and messages) for a bad file."""
    try:
        with open(path) as f:
            card = json.load(f)
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as e:
        raise IoError(f"{path}: cannot read: {e.strerror}") from None
    except ValueError:  # not JSON, or not UTF-8
        card = None
    if not isinstance(card, dict):
        raise InvalidArgumentError(f"{path}: model card is not a JSON object")
    return card


def card_settings(card, scale, mean, std, metric):
    """(scale, mean, std, metric) from a model card (path or dict), explicit values otherwise."""
    if card is not None:
        if not isinstance(card, dict):
            card = _read_card(card)
        pre = card.get("preprocess", {})
        scale, mean, std = pre.get("scale", scale), pre.get("mean", mean), pre.get("std", std)
        metric = metric or card.get("metric")
    return scale, mean, std, metric or "top1"


class Model:
    """A model loaded with :func:`tinyq.load`.

    ``run({name: ndarray}) -> {name: ndarray}`` evaluates it; inputs must have the dtype and shape
    of the model's inputs, except that the leading (batch) dimension may be any multiple of the
    model's. Outputs are numpy arrays that own the engine's buffers (no copy).
    """

    def __init__(self, impl, path):
        self._impl = impl
        self.path = path

    @property
    def inputs(self):
        """``{name: shape}`` of the graph inputs (static shapes after loading)."""
        return {name: tuple(shape) for name, shape in self._impl.inputs()}

    @property
    def outputs(self):
        """Names of the graph outputs, in order."""
        return list(self._impl.outputs())

    def run(self, feeds, threads=1, dequantize=False):
        """Runs the model; ``feeds`` maps input names to arrays. Returns ``{output name: array}``.

        Quantized models run on the int8 executor: float32 feeds for an int8 input are quantized
        with the input's scale/zero point (:attr:`input_quant`); int8 outputs are returned as
        stored unless ``dequantize=True``.
        """
        if not isinstance(feeds, dict):
            if len(self.inputs) != 1:
                raise TypeError("run() needs a dict {input name: array} for multi-input models")
            feeds = {next(iter(self.inputs)): feeds}
        return self._impl.run(feeds, threads, bool(dequantize))

    @property
    def is_int8(self):
        """True for a quantized model (runs on the int8 executor)."""
        return self._impl.is_int8()

    @property
    def input_quant(self):
        """``{name: (scale, zero_point)}`` of the int8 inputs (real = scale * (q - zero_point))."""
        return dict(self._impl.quant_params(False))

    @property
    def output_quant(self):
        """``{name: (scale, zero_point)}`` of the int8 outputs."""
        return dict(self._impl.quant_params(True))

    def inspect(self):
        """Inputs, outputs, per-node op/shape/params/MACs and totals, as a dict (= ``tinyq inspect
        --json``)."""
        return json.loads(self._impl.summary_json())

    def graph(self):
        """The IR graph as text."""
        return self._impl.graph_text()

    def evaluate(self, x, y=None, *, card=None, scale=1.0, mean=0.0, std=1.0, metric=None,
                 limit=0, threads=0):
        """Top-1 accuracy (percent) or anomaly AUC of the model on arrays ``x``/``y``.

        Preprocessing is ``((x * scale) - mean) / std``; ``card`` (a path or dict of a model card)
        supplies preprocessing and metric. Returns ``{"metric", "value", "loss", "samples"}``
        (:func:`tinyq.evaluate` returns the whole report).
        """
        ev = json.loads(self._evaluate_json(x, y, card=card, scale=scale, mean=mean, std=std,
                                            metric=metric, limit=limit, threads=threads))["eval"]
        return {k: ev[k] for k in ("metric", "value", "loss", "samples")}

    def _evaluate_json(self, x, y, *, card=None, scale=1.0, mean=0.0, std=1.0, metric=None,
                       limit=0, threads=0, data_label="<numpy arrays>"):
        """The "tinyq.report" JSON of an evaluation (verb "eval")."""
        scale, mean, std, metric = card_settings(card, scale, mean, std, metric)
        return self._impl.evaluate(np.asarray(x), None if y is None else np.asarray(y),
                                   float(scale), float(mean), float(std), metric, int(limit),
                                   int(threads), str(data_label))

    def save(self, path):
        """Writes the model as ONNX (atomically: no partial file on failure)."""
        self._impl.save(str(path))

    def __repr__(self):
        return f"tinyq.Model({self.path!r}, inputs={self.inputs}, outputs={self.outputs})"


class QuantizedModel(Model):
    """The result of :func:`tinyq.quantize`: a Model in int8 plus ``report`` (a
    :class:`tinyq.Report`, verb "quantize": ``report["quantize"]`` has the I/O scales, per-layer
    SQNR/cosine and float fallbacks; ``report["metric"]`` the validation float/int8 metric with
    ``max_drop``) and ``calibration`` (the table)."""

    def __init__(self, impl, path, report, calibration):
        super().__init__(impl, path)
        self.report = report
        self.calibration = calibration
