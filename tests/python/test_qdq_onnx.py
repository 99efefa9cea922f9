"""QDQ ONNX through tinyq: a QDQ model written here with onnx.helper (the DQ -> op -> Q style of
ONNX Runtime's quantizer, int8 input and output) is loaded by tinyq (folded into its quantized IR)
and saved again (expanded back to QDQ). The saved file must pass onnx.checker, keep int8 I/O and
int8 weights, and compute in ONNX Runtime what a numpy implementation of the QDQ semantics
computes; loading it again gives the same quantized graph.

Test data: numpy.random.default_rng(2026) (weights, scales fixed below), numpy + onnx 1.12.
"""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import tinyq

X_SCALE, X_ZP = 0.05, -3
C1_SCALE, C1_ZP = 0.04, -128   # Conv + Relu output
G_SCALE, G_ZP = 0.02, -60      # GlobalAveragePool output
Y_SCALE, Y_ZP = 0.3, 4         # Gemm output


def quantize(x, scale, zp):
    """ONNX QuantizeLinear (int8): saturate(round_half_even(x / scale) + zp)."""
    q = np.rint(x.astype(np.float32) / np.float32(scale)) + zp
    return np.clip(q, -128, 127).astype(np.int8)


def dequantize(q, scale, zp, axis=None):
    s = np.asarray(scale, np.float32)
    z = np.asarray(zp, np.float32)
    if axis is not None:
        shape = [1] * q.ndim
        shape[axis] = -1
        s, z = s.reshape(shape), z.reshape(shape)
    return ((q.astype(np.float32) - z) * s).astype(np.float32)


def conv3x3_pad1(x, w, b):
    n, _, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, w.shape[0], h, wd), np.float32)
    for i in range(3):
        for j in range(3):
            out += np.einsum("nchw,oc->nohw", xp[:, :, i:i + h, j:j + wd], w[:, :, i, j])
    return out + b.reshape(1, -1, 1, 1)


class Params:
    def __init__(self):
        rng = np.random.default_rng(2026)
        self.w1 = rng.integers(-127, 128, (4, 3, 3, 3)).astype(np.int8)
        self.w1_scale = np.array([0.010, 0.012, 0.008, 0.011], np.float32)
        self.b1 = rng.integers(-3000, 3000, 4).astype(np.int32)
        self.b1_scale = (np.float32(X_SCALE) * self.w1_scale).astype(np.float32)
        self.w2 = rng.integers(-127, 128, (5, 4)).astype(np.int8)
        self.w2_scale = np.float32(0.02)   # per-tensor, as quantizers often write Gemm weights
        self.b2 = rng.integers(-500, 500, 5).astype(np.int32)
        self.b2_scale = np.float32(np.float32(G_SCALE) * self.w2_scale)


def build_model(p):
    f = np.float32
    inits = [
        numpy_helper.from_array(np.array(X_SCALE, f), "x_scale"),
        numpy_helper.from_array(np.array(X_ZP, np.int8), "x_zp"),
        numpy_helper.from_array(np.array(C1_SCALE, f), "c1_scale"),
        numpy_helper.from_array(np.array(C1_ZP, np.int8), "c1_zp"),
        numpy_helper.from_array(np.array(G_SCALE, f), "g_scale"),
        numpy_helper.from_array(np.array(G_ZP, np.int8), "g_zp"),
        numpy_helper.from_array(np.array(Y_SCALE, f), "y_scale"),
        numpy_helper.from_array(np.array(Y_ZP, np.int8), "y_zp"),
        numpy_helper.from_array(p.w1, "w1"),
        numpy_helper.from_array(p.w1_scale, "w1_scale"),
        numpy_helper.from_array(np.zeros(4, np.int8), "w1_zp"),
        numpy_helper.from_array(p.b1, "b1"),
        numpy_helper.from_array(p.b1_scale, "b1_scale"),
        numpy_helper.from_array(p.w2, "w2"),
        numpy_helper.from_array(np.array(p.w2_scale, f), "w2_scale"),
        numpy_helper.from_array(np.array(0, np.int8), "w2_zp"),
        numpy_helper.from_array(p.b2, "b2"),
        numpy_helper.from_array(np.array(p.b2_scale, f), "b2_scale"),
    ]
    dq, q = "DequantizeLinear", "QuantizeLinear"
    nodes = [
        helper.make_node(dq, ["x", "x_scale", "x_zp"], ["x_f"], name="x_dq"),
        helper.make_node(dq, ["w1", "w1_scale", "w1_zp"], ["w1_f"], name="w1_dq", axis=0),
        helper.make_node(dq, ["b1", "b1_scale"], ["b1_f"], name="b1_dq", axis=0),
        helper.make_node("Conv", ["x_f", "w1_f", "b1_f"], ["c1_pre"], name="conv1",
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c1_pre"], ["c1_f"], name="relu1"),
        helper.make_node(q, ["c1_f", "c1_scale", "c1_zp"], ["c1"], name="c1_q"),
        helper.make_node(dq, ["c1", "c1_scale", "c1_zp"], ["c1_f2"], name="c1_dq"),
        helper.make_node("MaxPool", ["c1_f2"], ["p_f"], name="pool", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node(q, ["p_f", "c1_scale", "c1_zp"], ["p"], name="p_q"),
        helper.make_node(dq, ["p", "c1_scale", "c1_zp"], ["p_f2"], name="p_dq"),
        helper.make_node("GlobalAveragePool", ["p_f2"], ["g_f"], name="gap"),
        helper.make_node(q, ["g_f", "g_scale", "g_zp"], ["g"], name="g_q"),
        helper.make_node(dq, ["g", "g_scale", "g_zp"], ["g_f2"], name="g_dq"),
        helper.make_node("Flatten", ["g_f2"], ["fl_f"], name="flatten", axis=1),
        helper.make_node(q, ["fl_f", "g_scale", "g_zp"], ["fl"], name="fl_q"),
        helper.make_node(dq, ["fl", "g_scale", "g_zp"], ["fl_f2"], name="fl_dq"),
        helper.make_node(dq, ["w2", "w2_scale", "w2_zp"], ["w2_f"], name="w2_dq"),
        helper.make_node(dq, ["b2", "b2_scale"], ["b2_f"], name="b2_dq"),
        helper.make_node("Gemm", ["fl_f2", "w2_f", "b2_f"], ["y_f"], name="fc", transB=1),
        helper.make_node(q, ["y_f", "y_scale", "y_zp"], ["y"], name="y_q"),
    ]
    graph = helper.make_graph(
        nodes, "qdq_cnn",
        [helper.make_tensor_value_info("x", TensorProto.INT8, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.INT8, [1, 5])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def reference(p, x):
    """The QDQ model's meaning, step by step in float32 numpy."""
    xf = dequantize(x, X_SCALE, X_ZP)
    w1 = dequantize(p.w1, p.w1_scale, 0, axis=0)
    b1 = dequantize(p.b1, p.b1_scale, 0)
    c1 = quantize(np.maximum(conv3x3_pad1(xf, w1, b1), 0), C1_SCALE, C1_ZP)
    c1f = dequantize(c1, C1_SCALE, C1_ZP)
    pooled = c1f.reshape(1, 4, 4, 2, 4, 2).max(axis=(3, 5))
    pq = quantize(pooled, C1_SCALE, C1_ZP)
    g = quantize(dequantize(pq, C1_SCALE, C1_ZP).mean(axis=(2, 3), keepdims=True), G_SCALE, G_ZP)
    fl = dequantize(g, G_SCALE, G_ZP).reshape(1, 4)
    w2 = dequantize(p.w2, p.w2_scale, 0)
    b2 = dequantize(p.b2, p.b2_scale, 0)
    return quantize(fl @ w2.T + b2, Y_SCALE, Y_ZP)


@pytest.fixture(scope="module")
def params():
    return Params()


@pytest.fixture()
def files(params, tmp_path):
    original = tmp_path / "qdq.onnx"
    onnx.save(build_model(params), str(original))
    saved = tmp_path / "tinyq.onnx"
    tinyq.load(original).save(saved)
    return original, saved


def test_saved_file_is_valid_qdq_with_int8_io_and_weights(files):
    _, saved = files
    model = onnx.load(str(saved))
    onnx.checker.check_model(model)
    g = model.graph
    assert g.input[0].type.tensor_type.elem_type == TensorProto.INT8
    assert g.output[0].type.tensor_type.elem_type == TensorProto.INT8
    inits = {t.name: t for t in g.initializer}
    assert inits["w1"].data_type == TensorProto.INT8
    assert inits["w2"].data_type == TensorProto.INT8
    assert inits["b1"].data_type == TensorProto.INT32
    ops = [n.op_type for n in g.node]
    assert ops.count("QuantizeLinear") == 5      # conv1, pool, gap, flatten, fc
    assert "Relu" in ops


def test_saved_file_runs_in_onnxruntime_like_the_qdq_reference(files, params, ort, tmp_path):
    original, saved = files
    x = np.random.default_rng(11).integers(-128, 128, (1, 3, 8, 8)).astype(np.int8)
    want = reference(params, x)
    assert np.abs(want.astype(int)).max() < 127, "outputs saturate: the comparison would be weak"
    theirs_original = ort(original, {"x": x}, tmp_path / "a")["y"]
    theirs_saved = ort(saved, {"x": x}, tmp_path / "b")["y"]
    assert theirs_saved.dtype == np.int8 and theirs_saved.shape == (1, 5)
    # ONNX Runtime may run the QDQ groups as integer kernels with their own rounding: at most one
    # step of the output scale away from the float reference.
    diff = np.abs(theirs_saved.astype(int) - want.astype(int))
    assert diff.max() <= 1, (theirs_saved, want)
    np.testing.assert_array_equal(theirs_saved, theirs_original)


def test_load_folds_into_quantized_ir_and_round_trips(files):
    original, saved = files
    first = tinyq.load(original).graph()
    again = tinyq.load(saved).graph()
    assert again == first
    # QOp form: int8 values straight into the ops, no QDQ node left (int8 I/O).
    assert "QuantizeLinear" not in first and "DequantizeLinear" not in first
    assert "%x:s8[1,3,8,8]" in first and "%w1:s8[4,3,3,3](const)" in first
    assert "%b1:s32[4](const)" in first and "%y:s8[1,5]" in first
