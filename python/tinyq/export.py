"""tinyq.export: C99 code generation for microcontrollers (the engine of ``tinyq export``)."""

import json
import os
import tempfile

from .model import Model
from .report import Report


def export(model, out_dir, *, name="model", calib=None, card=None, calib_limit=1000,
           reorder=True, weights_blob=False):
    """Writes ``out_dir/NAME.h``, ``NAME.c``, ``NAME_weights.c`` and the C99 runtime
    (``tq_*.c/.h``) for a quantized model; see docs/codegen.md for the generated API
    ``tq_status NAME_invoke(const int8_t* input, int8_t* output, uint8_t* arena)``.

    ``model``: a path (tinyq's QDQ ONNX, or a float model together with ``calib``, a .npz path,
    and optionally ``card``, a card.json path, to quantize with default settings first) or a
    :class:`tinyq.Model` (e.g. the result of :func:`tinyq.quantize`).
    Returns its :class:`tinyq.Report` (verb "export"; ``report["footprint"]``: const_bytes,
    arena_bytes, arena_lower_bound_bytes) whose ``report["export"]`` has ``files``,
    ``arena_bytes``, ``lower_bound_bytes``, ``greedy_bytes``, ``weight_bytes``, ``input_bytes``,
    ``output_bytes``, ``order``, ``buffers`` (the per-buffer plan: name, bytes, first_step,
    last_step, offset) and ``layers`` (per layer: node, op, macs, weight_bytes,
    activation_bytes).

    ``weights_blob=True`` (over-the-air updates): the constants go to ``NAME_weights.bin`` (a
    header with format version, model sha256, sizes and CRC-32s, then the payload) instead of
    ``NAME_weights.c``, and the API becomes ``NAME_invoke(blob, blob_size, input, output,
    arena)``, which checks the blob first and returns TQ_BLOB_MISMATCH (3) / TQ_BLOB_CORRUPT (4)
    instead of running; ``report["export"]`` then has ``weights_blob``, ``blob_bytes`` and
    ``model_sha256``.
    """
    from . import _tinyq  # noqa: PLC0415
    args = (str(out_dir), str(name), "" if calib is None else str(calib),
            "" if card is None else str(card), int(calib_limit), bool(reorder),
            bool(weights_blob))
    if isinstance(model, Model):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, os.path.basename(model.path or "model.onnx"))
            model.save(path)
            return Report(json.loads(_tinyq.export_c(path, *args, model._impl.origin())))
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError("model must be a path or a tinyq.Model")
    return Report(json.loads(_tinyq.export_c(str(model), *args, None)))
