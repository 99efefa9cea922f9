"""Counts parameters and multiply-accumulates of an ONNX model (batch 1).

params = total elements of the initializers feeding Conv/Gemm/MatMul weights and biases and
         BatchNormalization scale/bias/mean/var (shape constants and Clip bounds are not counted).
macs   = sum over Conv of out_elems * (Cin/groups) * kh * kw  +  sum over Gemm/MatMul of M*N*K.

Usage: /usr/bin/python3 benchmarks/zoo/count.py model.onnx [...]
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference

_PARAM_OPS = {"Conv", "Gemm", "MatMul", "BatchNormalization"}


def _fix_batch(model):
    for vi in list(model.graph.input) + list(model.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_value = 1
    return model


def count_model(path):
    model = onnx.load(path)
    model = _fix_batch(model)
    model = shape_inference.infer_shapes(model)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    shapes = {}
    for vi in list(model.graph.value_info) + list(model.graph.input) + list(model.graph.output):
        dims = vi.type.tensor_type.shape.dim
        shapes[vi.name] = [d.dim_value for d in dims]
    for name, arr in inits.items():
        shapes[name] = list(arr.shape)
    counted = set()
    params = 0
    macs = 0
    for node in model.graph.node:
        if node.op_type in _PARAM_OPS:
            for i in node.input[1:]:
                if i in inits and i not in counted:
                    counted.add(i)
                    params += int(inits[i].size)
        if node.op_type == "Conv":
            w = shapes[node.input[1]]
            out = shapes[node.output[0]]
            cin_per_group = w[1]  # weight is [Cout, Cin/groups, kh, kw]
            macs += int(np.prod(out)) * cin_per_group * int(np.prod(w[2:]))
        elif node.op_type == "Gemm":
            a, b = shapes[node.input[0]], shapes[node.input[1]]
            trans_b = any(at.name == "transB" and at.i for at in node.attribute)
            trans_a = any(at.name == "transA" and at.i for at in node.attribute)
            m, k = (a[1], a[0]) if trans_a else (a[0], a[1])
            n = b[0] if trans_b else b[1]
            macs += m * n * k
        elif node.op_type == "MatMul":
            a, b = shapes[node.input[0]], shapes[node.input[1]]
            m = int(np.prod(a[:-1]))
            macs += m * a[-1] * b[-1]
    return {"params": params, "macs": macs}


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(p, json.dumps(count_model(p)))
