"""A small numpy executor for the zoo's ONNX op set, independent of torch, used to check that each
card's float_metric is the metric of the exported model.onnx (verify.py, tests/python/test_zoo_cards.py).

Ops: Conv (groups, pads, strides, dilations 1), Gemm, MatMul, Add, Relu, Clip, BatchNormalization
(inference), MaxPool, AveragePool (no padding), GlobalAveragePool, Flatten, Reshape, Concat, Softmax.
Computes in float64 and returns float32 outputs.
"""
import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, a):
    n, c, h, wd = x.shape
    cout, cpg, kh, kw = w.shape
    g = a.get("group", 1)
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    if any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("Conv dilation")
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    opg = cout // g
    out = np.empty((n, cout, oh, ow), dtype=x.dtype)
    for gi in range(g):
        cg = cols[:, gi * cpg:(gi + 1) * cpg].reshape(n, cpg * kh * kw, oh * ow)
        wg = w[gi * opg:(gi + 1) * opg].reshape(opg, -1)
        out[:, gi * opg:(gi + 1) * opg] = np.matmul(wg, cg).reshape(n, opg, oh, ow)
    if b is not None:
        out += b[None, :, None, None]
    return out


def _pool(x, a, kind):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    pads = a.get("pads", [0, 0, 0, 0])
    fill = -np.inf if kind == "max" else 0.0
    if any(pads) and kind != "max":
        raise NotImplementedError("padded AveragePool")
    pt, pl, pb, pr = pads
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=fill)
    h, w = xp.shape[2:]
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    win = np.stack([xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
                    for i in range(kh) for j in range(kw)])
    return win.max(0) if kind == "max" else win.mean(0)


class Model:
    def __init__(self, path):
        self.model = onnx.load(path)
        g = self.model.graph
        self.inits = {t.name: numpy_helper.to_array(t).astype(np.float64)
                      if numpy_helper.to_array(t).dtype.kind == "f" else numpy_helper.to_array(t)
                      for t in g.initializer}
        self.input = [i.name for i in g.input if i.name not in self.inits][0]
        self.outputs = [o.name for o in g.output]

    def run(self, x):
        env = dict(self.inits)
        env[self.input] = np.asarray(x, dtype=np.float64)
        for node in self.model.graph.node:
            ins = [env[i] if i else None for i in node.input]
            a = _attrs(node)
            op = node.op_type
            if op == "Conv":
                y = _conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
            elif op == "Gemm":
                A = ins[0].T if a.get("transA", 0) else ins[0]
                B = ins[1].T if a.get("transB", 0) else ins[1]
                y = a.get("alpha", 1.0) * A @ B
                if len(ins) > 2 and ins[2] is not None:
                    y = y + a.get("beta", 1.0) * ins[2]
            elif op == "MatMul":
                y = ins[0] @ ins[1]
            elif op == "Add":
                y = ins[0] + ins[1]
            elif op == "Relu":
                y = np.maximum(ins[0], 0.0)
            elif op == "Clip":
                lo = ins[1] if len(ins) > 1 and ins[1] is not None else -np.inf
                hi = ins[2] if len(ins) > 2 and ins[2] is not None else np.inf
                y = np.clip(ins[0], lo, hi)
            elif op == "BatchNormalization":
                x0, s, b, m, v = ins[:5]
                shp = (1, -1) + (1,) * (x0.ndim - 2)
                y = (x0 - m.reshape(shp)) / np.sqrt(v.reshape(shp) + a.get("epsilon", 1e-5)) \
                    * s.reshape(shp) + b.reshape(shp)
            elif op == "MaxPool":
                y = _pool(ins[0], a, "max")
            elif op == "AveragePool":
                y = _pool(ins[0], a, "avg")
            elif op == "GlobalAveragePool":
                y = ins[0].mean(axis=(2, 3), keepdims=True)
            elif op == "Flatten":
                ax = a.get("axis", 1)
                y = ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
            elif op == "Reshape":
                shape = [d if d != 0 else ins[0].shape[i] for i, d in enumerate(ins[1].astype(int))]
                y = ins[0].reshape(shape)
            elif op == "Concat":
                y = np.concatenate(ins, axis=a["axis"])
            elif op == "Softmax":
                e = np.exp(ins[0] - ins[0].max(axis=a.get("axis", -1), keepdims=True))
                y = e / e.sum(axis=a.get("axis", -1), keepdims=True)
            else:
                raise NotImplementedError(op)
            env[node.output[0]] = y
        return env[self.outputs[0]].astype(np.float32)

    def run_batched(self, x, batch=500):
        return np.concatenate([self.run(x[i:i + batch]) for i in range(0, len(x), batch)])


def preprocess(x, pre):
    x = x.astype(np.float32)
    return (x * np.float32(pre["scale"]) - np.float32(pre["mean"])) / np.float32(pre["std"])


def metric(card, model, x, y):
    """The card's metric of `model` on raw npz arrays (x, y)."""
    inp = preprocess(x, card["preprocess"])
    out = model.run_batched(inp)
    if card["metric"] == "top1":
        return float(100.0 * np.mean(out.argmax(1) == y))
    from sklearn.metrics import roc_auc_score
    score = np.mean((out.reshape(len(inp), -1) - inp.reshape(len(inp), -1)) ** 2, axis=1)
    return float(roc_auc_score(y, score))
