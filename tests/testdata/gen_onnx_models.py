#!/usr/bin/python3
"""Generates the small ONNX models used by tests/onnx (committed; re-run to regenerate).

Tool: Debian /usr/bin/python3 (3.11) with python3-onnx 1.12.0 and python3-numpy; no randomness
(every value is written out or derived from np.arange), so the output is byte-for-byte
deterministic. Run from anywhere:  /usr/bin/python3 tests/testdata/gen_onnx_models.py

Good models go to tests/testdata/onnx/, the bad-input catalogue to tests/testdata/bad/.
The models are built with onnx.helper and saved WITHOUT onnx.checker (several are broken on
purpose, and opset 18 is newer than onnx 1.12 knows).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD = os.path.join(HERE, "onnx")
BAD = os.path.join(HERE, "bad")
F = TensorProto.FLOAT


def model(nodes, inputs, outputs, inits=(), opset=13, name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="gen_onnx_models.py")
    m.ir_version = 8 if opset >= 14 else 7
    return m


def save(m, folder, name):
    data = m.SerializeToString()
    assert len(data) < 50 * 1024, name
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    return data


def write_bytes(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def vi(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


# Values shared by the typed and raw initializer models (tests/onnx/import_test.cc repeats them).
INIT_VALUES = [
    ("f32", TensorProto.FLOAT, np.float32, [1.5, -2.0, 3.25]),
    ("f64", TensorProto.DOUBLE, np.float64, [0.5, -1.0e10]),
    ("s8", TensorProto.INT8, np.int8, [-128, 0, 127]),
    ("u8", TensorProto.UINT8, np.uint8, [0, 200, 255]),
    ("s16", TensorProto.INT16, np.int16, [-32768, 7, 32767]),
    ("u16", TensorProto.UINT16, np.uint16, [0, 65535]),
    ("s32", TensorProto.INT32, np.int32, [-2147483648, 5, 2147483647]),
    ("s64", TensorProto.INT64, np.int64, [-(2**40), 1, 2**40]),
    ("b", TensorProto.BOOL, np.bool_, [True, False, True]),
]


def init_models():
    typed, raw = [], []
    for name, onnx_type, np_type, values in INIT_VALUES:
        arr = np.array(values, dtype=np_type)
        # make_tensor with raw=False fills the typed field (float_data, int32_data, ...).
        typed.append(helper.make_tensor(name, onnx_type, [len(values)],
                                        arr.tolist() if onnx_type != TensorProto.BOOL
                                        else [int(v) for v in values]))
        raw.append(numpy_helper.from_array(arr, name))  # raw_data, little-endian
    outs = [vi(n, [len(v)], t) for n, t, _, v in INIT_VALUES]
    for label, inits in (("init_typed.onnx", typed), ("init_raw.onnx", raw)):
        # Initializers as graph outputs, so nothing is pruned and no op is needed.
        save(model([], [], outs, inits), GOOD, label)
    # A 2-D raw initializer to check shape and row-major order.
    w = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "w")
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vi("x", ["batch", 3])], [vi("y", ["batch", 3]), vi("w", [2, 3])], [w]),
         GOOD, "relu_dynamic_batch.onnx")


def external_models():
    values = np.array([1.0, 2.0, -3.0, 4.5, 0.25, -0.125], dtype=np.float32).reshape(2, 3)

    def ext_tensor(name, location, offset):
        t = TensorProto()
        t.name = name
        t.data_type = F
        t.dims.extend([2, 3])
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", location), ("offset", str(offset)), ("length", "24")):
            e = t.external_data.add()
            e.key, e.value = k, v
        return t

    write_bytes(GOOD, "ext_ok.bin", b"\x00" * 16 + values.tobytes())
    for folder, name, loc in ((GOOD, "ext_ok.onnx", "ext_ok.bin"),
                              (BAD, "ext_escape.onnx", "../onnx/ext_ok.bin"),
                              (BAD, "ext_absolute.onnx", "/etc/passwd"),
                              (GOOD, "ext_symlink.onnx", "link.bin")):
        save(model([], [], [vi("w", [2, 3])], [ext_tensor("w", loc, 16)]), folder, name)


def constant_models():
    t = numpy_helper.from_array(np.array([[1, 2], [3, 4]], dtype=np.float32), "t")
    nodes = [
        helper.make_node("Constant", [], ["c_tensor"], value=t),
        helper.make_node("Constant", [], ["c_float"], value_float=2.5),
        helper.make_node("Constant", [], ["c_floats"], value_floats=[1.0, -1.0]),
        helper.make_node("Constant", [], ["c_int"], value_int=7),
        helper.make_node("Constant", [], ["c_ints"], value_ints=[3, -4, 5]),
    ]
    outs = [vi("c_tensor", [2, 2]), vi("c_float", []), vi("c_floats", [2]),
            vi("c_int", [], TensorProto.INT64), vi("c_ints", [3], TensorProto.INT64)]
    save(model(nodes, [], outs), GOOD, "constants.onnx")


def opset_variants():
    """<op>_<opset>.onnx: the same computation written for each opset's form of the op."""
    x4 = [vi("x", [1, 3, 4, 4])]

    def put(name, opset, nodes, inputs, outputs, inits=()):
        save(model(nodes, inputs, outputs, inits, opset), GOOD, f"{name}_{opset}.onnx")

    for opset in (7, 11, 13, 18):
        # Squeeze axis 1 of [2,1,3]; Unsqueeze axis 0 of [2,3].
        if opset < 13:
            sq = helper.make_node("Squeeze", ["x"], ["y"], name="sq", axes=[1])
            usq = helper.make_node("Unsqueeze", ["x"], ["y"], name="usq", axes=[0])
            inits = []
        else:
            sq = helper.make_node("Squeeze", ["x", "axes"], ["y"], name="sq")
            usq = helper.make_node("Unsqueeze", ["x", "axes"], ["y"], name="usq")
            inits = [ints("axes", [1])]
        put("squeeze", opset, [sq], [vi("x", [2, 1, 3])], [vi("y", [2, 3])], inits)
        put("unsqueeze", opset, [usq], [vi("x", [2, 3])], [vi("y", [1, 2, 3])],
            [ints("axes", [0])] if opset >= 13 else [])

        # Clip to [-1, 6].
        if opset < 11:
            clip = helper.make_node("Clip", ["x"], ["y"], name="clip", min=-1.0, max=6.0)
            inits = []
        else:
            clip = helper.make_node("Clip", ["x", "lo", "hi"], ["y"], name="clip")
            inits = [floats("lo", -1.0), floats("hi", 6.0)]
        put("clip", opset, [clip], [vi("x", [1, 4])], [vi("y", [1, 4])], inits)

        # Pad H and W by 1 (constant 0.5).
        pads = [0, 0, 1, 1, 0, 0, 1, 1]
        if opset < 11:
            pad = helper.make_node("Pad", ["x"], ["y"], name="pad", pads=pads, value=0.5,
                                   mode="constant")
            inits = []
        else:
            pad = helper.make_node("Pad", ["x", "pads", "cv"], ["y"], name="pad",
                                   mode="constant")
            inits = [ints("pads", pads), floats("cv", 0.5)]
        put("pad", opset, [pad], x4, [vi("y", [1, 3, 6, 6])], inits)

        # Slice x[:, 1:3] on axis 1.
        if opset < 10:
            sl = helper.make_node("Slice", ["x"], ["y"], name="slice", starts=[1], ends=[3],
                                  axes=[1])
            inits = []
        else:
            sl = helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["y"], name="slice")
            inits = [ints("starts", [1]), ints("ends", [3]), ints("axes", [1])]
        put("slice", opset, [sl], x4, [vi("y", [1, 2, 4, 4])], inits)

        # Split axis 1 into [1, 2].
        outs = [vi("a", [1, 1, 4, 4]), vi("b", [1, 2, 4, 4])]
        if opset < 13:
            sp = helper.make_node("Split", ["x"], ["a", "b"], name="split", axis=1, split=[1, 2])
            inits = []
        else:
            sp = helper.make_node("Split", ["x", "split"], ["a", "b"], name="split", axis=1)
            inits = [ints("split", [1, 2])]
        put("split", opset, [sp], x4, outs, inits)

        # ReduceMean over H,W keeping dims.
        if opset < 18:
            rm = helper.make_node("ReduceMean", ["x"], ["y"], name="rm", axes=[2, 3], keepdims=1)
            inits = []
        else:
            rm = helper.make_node("ReduceMean", ["x", "axes"], ["y"], name="rm", keepdims=1)
            inits = [ints("axes", [2, 3])]
        put("reducemean", opset, [rm], x4, [vi("y", [1, 3, 1, 1])], inits)

        # Softmax with default axis.
        put("softmax", opset, [helper.make_node("Softmax", ["x"], ["y"], name="sm")],
            [vi("x", [2, 5])], [vi("y", [2, 5])])

    # Upsample x2 nearest: opset 7 (attribute scales), opset 9 (scales input).
    scales = [1.0, 1.0, 2.0, 2.0]
    up_out = [vi("y", [1, 3, 8, 8])]
    put("upsample", 7, [helper.make_node("Upsample", ["x"], ["y"], name="up", mode="nearest",
                                         scales=scales)], x4, up_out)
    put("upsample", 9, [helper.make_node("Upsample", ["x", "scales"], ["y"], name="up",
                                         mode="nearest")], x4, up_out, [floats("scales", scales)])
    # Resize x2: opset 10 (X, scales); 11/13/18 (X, roi, scales[, sizes]).
    put("resize", 10, [helper.make_node("Resize", ["x", "scales"], ["y"], name="rs",
                                        mode="nearest")], x4, up_out, [floats("scales", scales)])
    for opset in (11, 13, 18):
        inputs = ["x", "roi", "scales"] if opset == 11 else ["x", "", "scales"]
        inits = [floats("scales", scales)] + ([floats("roi", [])] if opset == 11 else [])
        put("resize", opset, [helper.make_node("Resize", inputs, ["y"], name="rs",
                                               mode="nearest")], x4, up_out, inits)


def shape_subgraph():
    """torch.onnx's flatten with a dynamic batch: Reshape(x, Concat(Unsqueeze(Gather(Shape(x),0)),-1))."""
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Constant", [], ["zero"], name="c0",
                         value=numpy_helper.from_array(np.array(0, dtype=np.int64))),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name="gather", axis=0),
        helper.make_node("Constant", [], ["axes0"], name="c1", value_ints=[0]),
        helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"], name="unsqueeze"),
        helper.make_node("Constant", [], ["minus1"], name="c2", value_ints=[-1]),
        helper.make_node("Concat", ["batch1", "minus1"], ["newshape"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "newshape"], ["y"], name="reshape"),
    ]
    save(model(nodes, [vi("x", ["N", 2, 3, 4])], [vi("y", ["N", 24])]), GOOD,
         "shape_subgraph.onnx")


def roundtrip_models():
    """Small networks for load -> save -> load checks."""
    w1 = numpy_helper.from_array((np.arange(32, dtype=np.float32).reshape(4, 8) - 16) / 16, "w1")
    b1 = floats("b1", [0.1, -0.2, 0.3, -0.4])
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1", transB=1),
        helper.make_node("Relu", ["h"], ["r"], name="relu1"),
        helper.make_node("Unsqueeze", ["r", "ax"], ["u"], name="unsq"),
        helper.make_node("Squeeze", ["u", "ax"], ["s"], name="sq"),
        helper.make_node("Softmax", ["s"], ["y"], name="softmax"),
    ]
    save(model(nodes, [vi("x", [1, 8])], [vi("y", [1, 4])], [w1, b1, ints("ax", [0])], 13),
         GOOD, "mlp_13.onnx")
    wc = numpy_helper.from_array((np.arange(54, dtype=np.float32).reshape(2, 3, 3, 3) - 27) / 27,
                                 "wc")
    nodes = [
        helper.make_node("Conv", ["x", "wc"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["c"], ["r"], name="relu6", min=0.0, max=6.0),
        helper.make_node("ReduceMean", ["r"], ["m"], name="gap", axes=[2, 3], keepdims=0),
        helper.make_node("Softmax", ["m"], ["y"], name="softmax"),
    ]
    save(model(nodes, [vi("x", [1, 3, 5, 5])], [vi("y", [1, 2])], [wc], 7), GOOD, "conv_7.onnx")


def bad_models():
    good = model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [1, 4])],
                 [vi("y", [1, 4])], [floats("w", np.arange(64, dtype=np.float32))])
    data = good.SerializeToString()
    truncated = data[: len(data) // 2]
    garbage = bytes([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x13, 0x37] * 8)
    for blob in (truncated, garbage):
        try:
            onnx.ModelProto().ParseFromString(blob)
        except Exception:  # noqa: BLE001 - any parse error is what we want
            continue
        raise SystemExit("bad blob parsed unexpectedly")
    write_bytes(BAD, "truncated.onnx", truncated)
    write_bytes(BAD, "garbage.onnx", garbage)
    write_bytes(BAD, "empty.onnx", b"")

    x = [vi("x", [1, 4])]
    y = [vi("y", [1, 4])]
    save(model([helper.make_node("Add", ["x", "b"], ["a"], name="add_a"),
                helper.make_node("Relu", ["a"], ["b"], name="relu_b"),
                helper.make_node("Relu", ["a"], ["y"], name="relu_y")], x, y), BAD, "cycle.onnx")
    save(model([helper.make_node("Relu", ["nope"], ["y"], name="relu1")], x, y), BAD,
         "undefined_input.onnx")
    save(model([helper.make_node("Conv", ["x4", "W"], ["y"], name="conv1")],
               [vi("x4", [1, 1, 3, 3])], y), BAD, "missing_initializer.onnx")
    w = floats("W", np.zeros((2, 3)))
    w.raw_data = w.raw_data[:20]
    save(model([helper.make_node("Add", ["x", "W"], ["y"], name="add")], x, y, [w]), BAD,
         "raw_wrong_size.onnx")
    neg = TensorProto(name="W", data_type=F, dims=[2, -3])
    save(model([helper.make_node("Add", ["x", "W"], ["y"], name="add")], x, y, [neg]), BAD,
         "negative_dim.onnx")
    huge = TensorProto(name="W", data_type=F, dims=[1 << 20, 1 << 20])
    save(model([helper.make_node("Add", ["x", "W"], ["y"], name="add")], x, y, [huge]), BAD,
         "huge_dim.onnx")
    save(model([helper.make_node("Relu", ["x"], ["r"], name="relu"),
                helper.make_node("LRN", ["r"], ["l"], name="lrn1", size=3),
                helper.make_node("MyOp", ["l"], ["m"], name="custom1", domain="com.example"),
                helper.make_node("TopK", ["m", "k"], ["y", "idx"])], x, y, [ints("k", [1])]),
         BAD, "unsupported_ops.onnx")
    w16 = numpy_helper.from_array(np.ones(4, dtype=np.float16), "W16")
    save(model([helper.make_node("Add", ["x", "W16"], ["y"], name="add")], x, y, [w16]), BAD,
         "float16.onnx")
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")], x, y, opset=19), BAD,
         "opset_19.onnx")
    limit_models(x, y)


def limit_models(x, y):
    """Models whose sizes overflow tinyq's limits (src/ir/tensor_limits.h, int32 accumulators)."""
    # A 1 GiB initializer declared in a ~100-byte file: refused before anything is allocated.
    lie = TensorProto(name="W", data_type=F, dims=[1 << 28], raw_data=b"\0\0\0\0")
    save(model([helper.make_node("Add", ["x", "W"], ["y"], name="add")], x, y, [lie]), BAD,
         "declared_no_data.onnx")
    # Resize by 1e5 in H and W: an [1,1,800000,800000] output from an 8x8 input.
    save(model([helper.make_node("Resize", ["x8", "", "scales"], ["y"], name="resize_up")],
               [vi("x8", [1, 1, 8, 8])], [vi("y", None)], [floats("scales", [1, 1, 1e5, 1e5])]),
         BAD, "resize_huge.onnx")
    # QDQ Gemm whose int32 bias is already near INT32_MAX: the worst-case accumulator
    # 2147483000 + 128 * 4 * 127 overflows int32, which the int8 kernel must refuse.
    i8, i32 = TensorProto.INT8, TensorProto.INT32
    inits = [floats("s_x", 0.05), numpy_helper.from_array(np.array(0, np.int8), "z_x"),
             numpy_helper.from_array(np.full((2, 4), 127, np.int8), "w"),
             floats("s_w", 0.01), numpy_helper.from_array(np.array(0, np.int8), "z_w"),
             numpy_helper.from_array(np.array([2147483000, 0], np.int32), "b"),
             floats("s_b", 0.05 * 0.01), floats("s_y", 0.5),
             numpy_helper.from_array(np.array(0, np.int8), "z_y")]
    dq, q = "DequantizeLinear", "QuantizeLinear"
    nodes = [helper.make_node(dq, ["xq", "s_x", "z_x"], ["xf"], name="x_dq"),
             helper.make_node(dq, ["w", "s_w", "z_w"], ["wf"], name="w_dq"),
             helper.make_node(dq, ["b", "s_b"], ["bf"], name="b_dq"),
             helper.make_node("Gemm", ["xf", "wf", "bf"], ["yf"], name="fc", transB=1),
             helper.make_node(q, ["yf", "s_y", "z_y"], ["yq"], name="y_q")]
    save(model(nodes, [vi("xq", [1, 4], i8)], [vi("yq", [1, 2], i8)], inits), BAD,
         "int8_accumulator_overflow.onnx")
    # A 1 GiB int8 input whose dequantized float twin would be 4 GiB.
    big = [1, 1, 32768, 32768]
    inits = [floats("s", 0.05), numpy_helper.from_array(np.array(0, np.int8), "z")]
    nodes = [helper.make_node(dq, ["xq", "s", "z"], ["xf"], name="x_dq"),
             helper.make_node("Relu", ["xf"], ["rf"], name="relu"),
             helper.make_node(q, ["rf", "s", "z"], ["yq"], name="y_q")]
    save(model(nodes, [vi("xq", big, i8)], [vi("yq", big, i8)], inits), BAD,
         "activation_4gib.onnx")


def main():
    os.makedirs(GOOD, exist_ok=True)
    os.makedirs(BAD, exist_ok=True)
    init_models()
    external_models()
    constant_models()
    opset_variants()
    shape_subgraph()
    roundtrip_models()
    bad_models()


if __name__ == "__main__":
    main()
