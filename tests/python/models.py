"""Small ONNX models built with onnx.helper for the front-end tests, with independent numpy
references. Generated at test time (onnx 1.12, numpy; seeds fixed below)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def small_cnn(path, seed=0, opset=13):
    """input [N,1,8,8] -> Conv(4,3x3,pad 1) -> Relu -> MaxPool 2x2 -> Flatten -> Gemm(3) -> logits.
    Returns the weights dict for the numpy reference."""
    rng = np.random.default_rng(seed)
    w = {"conv_w": rng.standard_normal((4, 1, 3, 3)).astype(np.float32) * 0.5,
         "conv_b": rng.standard_normal(4).astype(np.float32) * 0.1,
         "fc_w": rng.standard_normal((3, 64)).astype(np.float32) * 0.3,
         "fc_b": rng.standard_normal(3).astype(np.float32) * 0.1}
    nodes = [
        helper.make_node("Conv", ["input", "conv_w", "conv_b"], ["c"], name="conv",
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 3])],
        [numpy_helper.from_array(v, k) for k, v in w.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), str(path))
    return w


def small_cnn_reference(w, x):
    """Naive numpy forward pass of small_cnn (float64)."""
    x = x.astype(np.float64)
    n = x.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    c = np.zeros((n, 4, 8, 8))
    for o in range(4):
        for i in range(8):
            for j in range(8):
                c[:, o, i, j] = (xp[:, 0, i:i + 3, j:j + 3] * w["conv_w"][o, 0]).sum(axis=(1, 2))
        c[:, o] += w["conv_b"][o]
    r = np.maximum(c, 0)
    p = r.reshape(n, 4, 4, 2, 4, 2).max(axis=(3, 5))
    return p.reshape(n, 64) @ w["fc_w"].T.astype(np.float64) + w["fc_b"]


def tiny_autoencoder(path, seed=0):
    """input [N,16] -> Gemm(4) -> Relu -> Gemm(16) -> reconstruction."""
    rng = np.random.default_rng(seed)
    w = {"enc_w": rng.standard_normal((4, 16)).astype(np.float32) * 0.3,
         "dec_w": rng.standard_normal((16, 4)).astype(np.float32) * 0.3}
    nodes = [helper.make_node("Gemm", ["input", "enc_w"], ["h"], name="enc", transB=1),
             helper.make_node("Relu", ["h"], ["hr"], name="relu"),
             helper.make_node("Gemm", ["hr", "dec_w"], ["reconstruction"], name="dec", transB=1)]
    graph = helper.make_graph(
        nodes, "ae", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 16])],
        [helper.make_tensor_value_info("reconstruction", TensorProto.FLOAT, ["N", 16])],
        [numpy_helper.from_array(v, k) for k, v in w.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return w


def unsupported_ops_model(path):
    """Two ops tinyq does not implement (LSTM-free: Einsum and TopK) between supported ones."""
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"),
             helper.make_node("Einsum", ["a", "a"], ["b"], name="my_einsum", equation="ij,ij->ij"),
             helper.make_node("Hardmax", ["b"], ["y"], name="my_hardmax")]
    graph = helper.make_graph(nodes, "bad", [helper.make_tensor_value_info("x", 1, [2, 3])],
                              [helper.make_tensor_value_info("y", 1, [2, 3])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
