#include "src/ir/conv_geometry.h"

#include <string>

namespace tinyq {
namespace {

int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

std::string IntsToString(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

// Reads an ints attribute of length n (default `def` repeated); checks length and lower bound.
Status ReadInts(const Graph& graph, const Node& node, const char* name, size_t n, int64_t def,
                int64_t min_value, std::vector<int64_t>* out) {
  *out = node.GetInts(name, std::vector<int64_t>(n, def));
  if (out->size() != n)
    return InvalidModel(graph.Where(&node) + "attribute '" + name + "' has " +
                        std::to_string(out->size()) + " values, expected " + std::to_string(n));
  for (int64_t v : *out)
    if (v < min_value)
      return InvalidModel(graph.Where(&node) + "attribute '" + name + "' = " + IntsToString(*out) +
                          " must be >= " + std::to_string(min_value));
  return Status::Ok();
}

// Common part: spatial dims, kernel, strides, dilations, explicit pads; validates auto_pad.
Status ReadCommon(const Graph& graph, const Node& node, const Shape& x_shape,
                  const std::vector<int64_t>& kernel, ConvGeometry* g, std::string* auto_pad) {
  if (x_shape.size() < 3)
    return InvalidModel(graph.Where(&node) + "input must have rank >= 3 ([N,C,spatial...]), got " +
                        ShapeToString(x_shape));
  const size_t n = x_shape.size() - 2;
  if (kernel.size() != n)
    return InvalidModel(graph.Where(&node) + "kernel " + IntsToString(kernel) + " has " +
                        std::to_string(kernel.size()) + " dims, input has " + std::to_string(n) +
                        " spatial dims");
  for (int64_t k : kernel)
    if (k < 1)
      return InvalidModel(graph.Where(&node) + "kernel " + IntsToString(kernel) +
                          " must be positive");
  g->in.assign(x_shape.begin() + 2, x_shape.end());
  g->kernel = kernel;
  TQ_RETURN_IF_ERROR(ReadInts(graph, node, "strides", n, 1, 1, &g->strides));
  TQ_RETURN_IF_ERROR(ReadInts(graph, node, "dilations", n, 1, 1, &g->dilations));
  std::vector<int64_t> pads;
  TQ_RETURN_IF_ERROR(ReadInts(graph, node, "pads", 2 * n, 0, 0, &pads));
  g->pad_begin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(n));
  g->pad_end.assign(pads.begin() + static_cast<std::ptrdiff_t>(n), pads.end());
  g->output_padding.assign(n, 0);
  *auto_pad = node.GetString("auto_pad", "NOTSET");
  if (*auto_pad != "NOTSET" && *auto_pad != "SAME_UPPER" && *auto_pad != "SAME_LOWER" &&
      *auto_pad != "VALID")
    return InvalidModel(graph.Where(&node) + "unknown auto_pad '" + *auto_pad + "'");
  return Status::Ok();
}

Status CheckOutputPositive(const Graph& graph, const Node& node, const ConvGeometry& g) {
  for (int64_t o : g.out)
    if (o < 1)
      return InvalidModel(graph.Where(&node) + "output spatial size " + IntsToString(g.out) +
                          " is not positive (input " + IntsToString(g.in) + ", kernel " +
                          IntsToString(g.kernel) + ")");
  return Status::Ok();
}

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

int64_t ConvGeometry::InSize() const { return Product(in); }
int64_t ConvGeometry::OutSize() const { return Product(out); }
int64_t ConvGeometry::KernelSize() const { return Product(kernel); }

StatusOr<ConvGeometry> ComputeConvGeometry(const Graph& graph, const Node& node,
                                           const Shape& x_shape, const std::vector<int64_t>& kernel,
                                           bool allow_ceil_mode) {
  ConvGeometry g;
  std::string auto_pad;
  TQ_RETURN_IF_ERROR(ReadCommon(graph, node, x_shape, kernel, &g, &auto_pad));
  const bool ceil_mode = allow_ceil_mode && node.GetInt("ceil_mode", 0) != 0;
  const int n = g.rank();
  g.out.resize(static_cast<size_t>(n));
  for (int d = 0; d < n; ++d) {
    const size_t i = static_cast<size_t>(d);
    const int64_t eff_k = (g.kernel[i] - 1) * g.dilations[i] + 1;
    const int64_t s = g.strides[i];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      // out = ceil(in / stride); the total padding makes the last window end at the input edge.
      g.out[i] = (g.in[i] + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (g.out[i] - 1) * s + eff_k - g.in[i]);
      const int64_t small = total / 2, large = total - total / 2;
      g.pad_begin[i] = auto_pad == "SAME_UPPER" ? small : large;
      g.pad_end[i] = auto_pad == "SAME_UPPER" ? large : small;
      continue;
    }
    if (auto_pad == "VALID") g.pad_begin[i] = g.pad_end[i] = 0;
    const int64_t span = g.in[i] + g.pad_begin[i] + g.pad_end[i] - eff_k;
    if (span < 0) {
      g.out[i] = 0;
      continue;
    }
    g.out[i] = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    // As PyTorch and ONNX (opset 19 text): a ceil-mode window may not start in the end padding.
    if (ceil_mode && (g.out[i] - 1) * s >= g.in[i] + g.pad_begin[i]) --g.out[i];
  }
  TQ_RETURN_IF_ERROR(CheckOutputPositive(graph, node, g));
  return g;
}

StatusOr<ConvGeometry> ComputeConvTransposeGeometry(const Graph& graph, const Node& node,
                                                    const Shape& x_shape,
                                                    const std::vector<int64_t>& kernel) {
  ConvGeometry g;
  std::string auto_pad;
  TQ_RETURN_IF_ERROR(ReadCommon(graph, node, x_shape, kernel, &g, &auto_pad));
  const size_t n = static_cast<size_t>(g.rank());
  TQ_RETURN_IF_ERROR(ReadInts(graph, node, "output_padding", n, 0, 0, &g.output_padding));
  for (size_t i = 0; i < n; ++i)
    if (g.output_padding[i] >= std::max(g.strides[i], g.dilations[i]))
      return InvalidModel(graph.Where(&node) + "output_padding " + IntsToString(g.output_padding) +
                          " must be smaller than max(stride, dilation)");
  std::vector<int64_t> output_shape = node.GetInts("output_shape");
  // output_shape may include N and C; only the trailing spatial dims matter.
  if (!output_shape.empty()) {
    if (output_shape.size() == n + 2)
      output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
    if (output_shape.size() != n)
      return InvalidModel(graph.Where(&node) + "attribute 'output_shape' has " +
                          std::to_string(output_shape.size()) + " values, expected " +
                          std::to_string(n));
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    output_shape.resize(n);
    for (size_t i = 0; i < n; ++i) output_shape[i] = g.in[i] * g.strides[i];
  }
  g.out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t full =
        g.strides[i] * (g.in[i] - 1) + g.output_padding[i] + (g.kernel[i] - 1) * g.dilations[i] + 1;
    if (!output_shape.empty()) {
      // ONNX: total_padding = full - output_shape; SAME_UPPER puts the extra pad at the end,
      // everything else (NOTSET with output_shape, SAME_LOWER) at the beginning.
      const int64_t total = full - output_shape[i];
      const int64_t small = FloorDiv(total, 2), large = total - small;
      g.pad_begin[i] = auto_pad == "SAME_UPPER" ? small : large;
      g.pad_end[i] = auto_pad == "SAME_UPPER" ? large : small;
      g.out[i] = output_shape[i];
    } else {
      if (auto_pad == "VALID") g.pad_begin[i] = g.pad_end[i] = 0;
      g.out[i] = full - g.pad_begin[i] - g.pad_end[i];
    }
  }
  TQ_RETURN_IF_ERROR(CheckOutputPositive(graph, node, g));
  return g;
}

}  // namespace tinyq
