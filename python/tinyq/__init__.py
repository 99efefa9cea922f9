"""tinyq: shrink neural networks until they fit a microcontroller, and prove they still work.

    import tinyq
    model = tinyq.load("benchmarks/zoo/fmnist_dscnn/model.onnx")
    print(model.inspect()["total_macs"])
    logits = model.run({"input": x})["logits"]

Errors raise subclasses of :class:`tinyq.Error` named after the engine's status codes
(``InvalidModelError``, ``UnsupportedError``, ...), each carrying the CLI's ``exit_code``.
"""

from . import _tinyq
from .errors import (CheckFailedError, Error, FailedPreconditionError, InternalError,
                     InvalidArgumentError, InvalidModelError, IoError, NotFoundError,
                     UnsupportedError)
from .model import Model, QuantizedModel
from .quantize import quantize
from .check import CheckResult, check
from .shrink import ShrinkReport, shrink
from .export import export
from .budget import budget, targets
from .prune import PrunedModel, prune
from .distill import distill, train

__version__ = _tinyq.__version__


def load(path, input_shapes=None):
    """Loads an ONNX model (opsets 7-18) into tinyq's IR with static shapes.

    ``input_shapes`` maps input names to shapes for dynamic dimensions (default: 1).
    """
    shapes = {k: [int(d) for d in v] for k, v in (input_shapes or {}).items()}
    return Model(_tinyq.load(str(path), shapes), str(path))


def read_dataset(path):
    """Reads a dataset file (.npz with x [and y], .npy, or IDX[.gz]) -> ``{"x": ..., "y": ...}``."""
    return _tinyq.read_dataset(str(path))


__all__ = ["load", "read_dataset", "quantize", "check", "CheckResult", "shrink", "ShrinkReport",
           "distill", "train", "Model", "QuantizedModel", "Error", "InvalidModelError",
           "UnsupportedError", "InvalidArgumentError", "FailedPreconditionError", "NotFoundError",
           "IoError", "InternalError", "CheckFailedError", "export", "budget", "targets", "prune",
           "PrunedModel"]
