"""The models every section measures, built once per zoo model: tinyq's int8 QDQ export (default
settings, the calibration set of ptq_vs_pytorch.py) and the PyTorch float and FX int8 modules."""
import copy
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import benchlib
from benchlib import ptq


@dataclass
class ModelArtifacts:
    name: str
    card: dict
    float_onnx: Path
    int8_onnx: Path = None
    quantize_report: dict = field(default_factory=dict)
    torch_float: object = None
    torch_int8: object = None
    errors: dict = field(default_factory=dict)  # what could not be built, by artifact

    @property
    def input_name(self):
        return self.card["input"]["name"]

    @property
    def input_shape(self):
        return tuple(self.card["input"]["shape"])

    def batch_of(self, x):
        """Preprocessed float samples shaped as the model input with a leading sample axis."""
        return np.ascontiguousarray(x.reshape((len(x),) + self.input_shape[1:]), np.float32)


def build(name, work):
    """Quantizes the zoo model with tinyq (default settings) and builds the PyTorch modules.
    Failures are recorded in .errors; the sections skip what is missing."""
    card = benchlib.card_of(name)
    art = ModelArtifacts(name=name, card=card, float_onnx=benchlib.model_path(name))
    q, rep = Path(work) / f"{name}.int8.onnx", Path(work) / f"{name}.quantize.json"
    try:
        benchlib.tinyq("quantize", art.float_onnx, "--calib", ptq.calib_path(card), "--card",
                     benchlib.ZOO / name / "card.json", "-o", q, "--report", rep)
        art.int8_onnx = q
        art.quantize_report = json.loads(rep.read_text())
    except benchlib.HarnessError as e:
        art.errors["int8_onnx"] = str(e)
    try:
        x_check = benchlib.preprocess(benchlib.test_data(card, 8)[0], card)
        art.torch_float, _ = ptq.torch_float_model(name, card, art.batch_of(x_check))
        x_calib = art.batch_of(benchlib.preprocess(benchlib.calib_data(card), card))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            art.torch_int8, _ = ptq.pytorch_ptq(copy.deepcopy(art.torch_float), "x86", "onednn",
                                                x_calib, card["input"]["shape"])
    except (ValueError, RuntimeError) as e:
        art.errors["torch"] = f"{type(e).__name__}: {e}"
    return art
