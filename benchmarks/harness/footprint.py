"""Microcontroller footprint of tinyq's int8 model, and its speed on the emulated Cortex-M4.

- raw int8 parameter bytes: the int8 weights and int32 biases of the QDQ model (the tensors that
  DequantizeLinear nodes read as their first input), nothing else;
- `tinyq export Q.onnx --format c --json`: the planned arena, its live-set lower bound and the
  arena of TFLM's size-ordered greedy planner on the same lifetimes (`greedy_bytes`);
- `tinyq budget Q.onnx --target nucleo_l4r5zi --json`: flash of the cross-built code (weights +
  code), instructions per inference counted in QEMU (mps2-an386, Cortex-M4), MACs per instruction.
"""
import json
from pathlib import Path

import onnx
from onnx import numpy_helper

import benchlib

BOARD = "nucleo_l4r5zi"


def raw_parameter_bytes(qdq_path):
    """(int8 weight bytes, int32 bias bytes) of a QDQ model."""
    g = onnx.load(str(qdq_path)).graph
    inits = {t.name: t for t in g.initializer}
    w8 = b32 = 0
    for n in g.node:
        if n.op_type == "DequantizeLinear" and n.input[0] in inits:
            a = numpy_helper.to_array(inits[n.input[0]])
            if a.dtype.name == "int8":
                w8 += a.nbytes
            elif a.dtype.name == "int32":
                b32 += a.nbytes
    return w8, b32


def footprint(art, work):
    if not art.int8_onnx:
        return {"error": art.errors.get("int8_onnx", "no int8 model")}
    row = {"board": BOARD}
    row["int8_weight_bytes"], row["int32_bias_bytes"] = raw_parameter_bytes(art.int8_onnx)
    try:
        out, _ = benchlib.tinyq("export", art.int8_onnx, "--format", "c", "-o",
                              Path(work) / f"{art.name}_c", "--json")
        ex = json.loads(out)["export"]
        row.update({k: ex[k] for k in ("arena_bytes", "lower_bound_bytes", "greedy_bytes",
                                       "weight_bytes")})
    except (benchlib.HarnessError, ValueError, KeyError) as e:
        row["export_error"] = str(e)
    try:
        out, _ = benchlib.tinyq("budget", art.int8_onnx, "--target", BOARD, "--json", timeout=900)
        b = json.loads(out)["budget"]
        row.update({"flash_weights_bytes": b["flash"]["weights_bytes"],
                    "flash_code_bytes": b["flash"]["code_bytes"],
                    "flash_total_bytes": b["flash"]["total_bytes"],
                    "ram_total_bytes": b["ram"]["total_bytes"],
                    "stack_bytes": b["ram"]["stack_bytes"],
                    "instructions": b["measured"]["instructions_per_inference"],
                    "macs": b["measured"]["total_macs"],
                    "macs_per_instruction": b["measured"]["macs_per_instruction"],
                    "build": b["measured"]["build"], "emulator": b["measured"]["emulator"]})
    except (benchlib.HarnessError, ValueError, KeyError) as e:
        row["budget_error"] = str(e)
    return row
