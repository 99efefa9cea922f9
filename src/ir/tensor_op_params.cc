// Resolvers of the static parameters of tensor ops; see tensor_op_params.h. The index arithmetic
// follows the ONNX operator specification (opsets 1..18), in its canonical IR form
// (docs/ir_ops.md).
#include "src/ir/tensor_op_params.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "src/ir/shape_inference.h"
#include "src/ir/tensor_limits.h"

namespace tinyq {
namespace {

std::string IntsToString(const std::vector<int64_t>& v) { return ShapeToString(v); }

// Input `i`, or InvalidModel when it is absent.
StatusOr<const Value*> Required(const Graph& graph, const Node& node, int i, const char* what) {
  const Value* v = node.input(i);
  if (!v) return InvalidModel(graph.Where(&node) + "missing input " + what);
  return v;
}

// Values of a constant integer input. Unsupported if not constant (tinyq needs static shapes),
// InvalidModel if not s32/s64.
StatusOr<std::vector<int64_t>> ConstInts(const Graph& graph, const Node& node, int i,
                                         const char* what) {
  TQ_ASSIGN_OR_RETURN(const Value* v, Required(graph, node, i, what));
  if (v->dtype() != DType::kS64 && v->dtype() != DType::kS32)
    return InvalidModel(graph.Where(&node) + what + " must be s32/s64, got " +
                        DTypeName(v->dtype()));
  if (!v->is_constant())
    return Unsupported(graph.Where(&node) + what + " '" + v->name() +
                       "' is not a constant (tinyq needs static shapes)");
  return v->constant()->ToInt64Vector();
}

// Normalizes every axis in `axes` against `rank` and rejects duplicates.
StatusOr<std::vector<int>> NormalizeAxes(const Graph& graph, const Node& node,
                                         const std::vector<int64_t>& axes, int rank) {
  std::vector<int> out;
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    TQ_ASSIGN_OR_RETURN(int ax, NormalizeAxis(a, rank, graph.Where(&node)));
    if (seen[static_cast<size_t>(ax)])
      return InvalidModel(graph.Where(&node) + "axis " + std::to_string(a) + " repeated in " +
                          IntsToString(axes));
    seen[static_cast<size_t>(ax)] = true;
    out.push_back(ax);
  }
  return out;
}

int64_t Prod(const Shape& s, size_t lo, size_t hi) {
  int64_t p = 1;
  for (size_t i = lo; i < hi; ++i) p *= s[i];
  return p;
}

}  // namespace

StatusOr<Shape> ResolveFlatten(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "input"));
  const int rank = static_cast<int>(x->shape().size());
  // Flatten's axis lies in [-r, r] and a negative one counts from r (not r + 1 as an insert
  // position would), so NormalizeAxis(allow_end) does not apply.
  const int64_t axis = node.GetInt("axis", 1);
  if (axis < -rank || axis > rank)
    return InvalidModel(graph.Where(&node) + "axis " + std::to_string(axis) +
                        " out of range for rank " + std::to_string(rank));
  const size_t a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
  return Shape{Prod(x->shape(), 0, a), Prod(x->shape(), a, x->shape().size())};
}

StatusOr<Shape> ResolveReshape(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "data"));
  TQ_ASSIGN_OR_RETURN(std::vector<int64_t> target, ConstInts(graph, node, 1, "shape"));
  const bool allow_zero = node.GetInt("allowzero", 0) != 0;
  const Shape& in = x->shape();
  Shape out(target.size());
  int infer_at = -1;
  int64_t known = 1;
  bool has_zero = false;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == -1) {
      if (infer_at >= 0)
        return InvalidModel(graph.Where(&node) + "more than one -1 in shape " +
                            IntsToString(target));
      infer_at = static_cast<int>(i);
      continue;
    }
    if (d < -1)
      return InvalidModel(graph.Where(&node) + "invalid dim " + std::to_string(d) + " in shape " +
                          IntsToString(target));
    if (d == 0 && !allow_zero) {
      if (i >= in.size())
        return InvalidModel(graph.Where(&node) + "shape " + IntsToString(target) + " copies dim " +
                            std::to_string(i) + " (0) but the input " + ShapeToString(in) +
                            " has no such dim");
      d = in[i];
    }
    if (d == 0) has_zero = true;
    out[i] = d;
    known *= d;
  }
  const int64_t count = NumElements(in);
  if (infer_at >= 0) {
    if (has_zero)
      return InvalidModel(graph.Where(&node) + "shape " + IntsToString(target) +
                          " has both -1 and a 0 dim: -1 cannot be inferred");
    if (known == 0 || count % known != 0)
      return InvalidModel(graph.Where(&node) + "cannot reshape " + ShapeToString(in) + " to " +
                          IntsToString(target));
    out[static_cast<size_t>(infer_at)] = count / known;
  } else if (known != count) {
    return InvalidModel(graph.Where(&node) + "cannot reshape " + ShapeToString(in) + " (" +
                        std::to_string(count) + " elements) to " + IntsToString(target));
  }
  return out;
}

StatusOr<std::vector<int>> ResolveTransposePerm(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "data"));
  const int rank = static_cast<int>(x->shape().size());
  std::vector<int> perm;
  if (!node.HasAttr("perm")) {
    for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
    return perm;
  }
  std::vector<int64_t> p = node.GetInts("perm");
  if (static_cast<int>(p.size()) != rank)
    return InvalidModel(graph.Where(&node) + "perm " + IntsToString(p) + " has " +
                        std::to_string(p.size()) + " entries for rank " + std::to_string(rank));
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t a : p) {
    // ONNX perm entries are non-negative; tinyq also accepts [-rank, -1] like numpy.
    StatusOr<int> ax = NormalizeAxis(a, rank, "");
    if (!ax.ok() || seen[static_cast<size_t>(*ax)])
      return InvalidModel(graph.Where(&node) + "perm " + IntsToString(p) +
                          " is not a permutation of the " + std::to_string(rank) + " dims");
    seen[static_cast<size_t>(*ax)] = true;
    perm.push_back(*ax);
  }
  return perm;
}

StatusOr<int> ResolveConcatAxis(const Graph& graph, const Node& node) {
  if (node.num_inputs() == 0 || !node.input(0))
    return InvalidModel(graph.Where(&node) + "needs at least one input");
  if (!node.HasAttr("axis")) return InvalidModel(graph.Where(&node) + "attribute axis missing");
  const Value* first = node.input(0);
  const int rank = static_cast<int>(first->shape().size());
  if (rank == 0) return InvalidModel(graph.Where(&node) + "cannot concatenate scalars");
  TQ_ASSIGN_OR_RETURN(int axis, NormalizeAxis(node.GetInt("axis", 0), rank, graph.Where(&node)));
  for (const Value* v : node.inputs()) {
    if (!v) return InvalidModel(graph.Where(&node) + "absent input");
    if (v->dtype() != first->dtype())
      return InvalidModel(graph.Where(&node) + "input '" + v->name() + "' has dtype " +
                          DTypeName(v->dtype()) + ", expected " + DTypeName(first->dtype()));
    bool ok = static_cast<int>(v->shape().size()) == rank;
    for (int d = 0; ok && d < rank; ++d)
      ok =
          d == axis || v->shape()[static_cast<size_t>(d)] == first->shape()[static_cast<size_t>(d)];
    if (!ok)
      return InvalidModel(graph.Where(&node) + "input '" + v->name() + "' shape " +
                          ShapeToString(v->shape()) + " does not match " +
                          ShapeToString(first->shape()) + " outside axis " + std::to_string(axis));
  }
  return axis;
}

StatusOr<SplitParams> ResolveSplit(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "input"));
  const int rank = static_cast<int>(x->shape().size());
  SplitParams p;
  TQ_ASSIGN_OR_RETURN(p.axis, NormalizeAxis(node.GetInt("axis", 0), rank, graph.Where(&node)));
  const int64_t dim = x->shape()[static_cast<size_t>(p.axis)];
  const int64_t n = node.num_outputs();
  if (n == 0) return InvalidModel(graph.Where(&node) + "has no outputs");
  if (node.HasAttr("split")) {
    p.sizes = node.GetInts("split");
    const auto does_not_cut = [&] {
      return InvalidModel(graph.Where(&node) + "split " + IntsToString(p.sizes) + " does not cut" +
                          " dim " + std::to_string(dim) + " into " + std::to_string(n) +
                          " outputs");
    };
    int64_t sum = 0;
    for (int64_t s : p.sizes) {
      if (s < 0) return InvalidModel(graph.Where(&node) + "negative split size");
      if (s > dim - sum) return does_not_cut();  // also keeps the sum from overflowing
      sum += s;
    }
    if (static_cast<int64_t>(p.sizes.size()) != n || sum != dim) return does_not_cut();
    return p;
  }
  if (node.HasAttr("num_outputs")) {
    // Opset 18: chunks of ceil(dim / num_outputs); the last one takes the remainder.
    const int64_t k = node.GetInt("num_outputs", 0);
    if (k != n)
      return InvalidModel(graph.Where(&node) + "num_outputs " + std::to_string(k) + " but " +
                          std::to_string(n) + " outputs");
    const int64_t chunk = (dim + k - 1) / k;
    int64_t left = dim;
    for (int64_t i = 0; i < k; ++i) {
      p.sizes.push_back(std::min(chunk, left));
      left -= p.sizes.back();
    }
    if (left != 0 || p.sizes.back() <= 0)
      return InvalidModel(graph.Where(&node) + "dim " + std::to_string(dim) +
                          " cannot be split into " + std::to_string(k) + " non-empty outputs");
    return p;
  }
  if (dim % n != 0)
    return InvalidModel(graph.Where(&node) + "dim " + std::to_string(dim) +
                        " is not divisible into " + std::to_string(n) + " equal outputs");
  p.sizes.assign(static_cast<size_t>(n), dim / n);
  return p;
}

StatusOr<SliceParams> ResolveSlice(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "data"));
  const Shape& in = x->shape();
  const int rank = static_cast<int>(in.size());
  TQ_ASSIGN_OR_RETURN(std::vector<int64_t> starts, ConstInts(graph, node, 1, "starts"));
  TQ_ASSIGN_OR_RETURN(std::vector<int64_t> ends, ConstInts(graph, node, 2, "ends"));
  std::vector<int64_t> axes_raw, steps;
  if (node.input(3)) {
    TQ_ASSIGN_OR_RETURN(axes_raw, ConstInts(graph, node, 3, "axes"));
  } else {
    for (size_t i = 0; i < starts.size(); ++i) axes_raw.push_back(static_cast<int64_t>(i));
  }
  if (node.input(4)) {
    TQ_ASSIGN_OR_RETURN(steps, ConstInts(graph, node, 4, "steps"));
  } else {
    steps.assign(starts.size(), 1);
  }
  if (ends.size() != starts.size() || axes_raw.size() != starts.size() ||
      steps.size() != starts.size())
    return InvalidModel(graph.Where(&node) + "starts/ends/axes/steps lengths differ (" +
                        std::to_string(starts.size()) + "/" + std::to_string(ends.size()) + "/" +
                        std::to_string(axes_raw.size()) + "/" + std::to_string(steps.size()) + ")");
  TQ_ASSIGN_OR_RETURN(std::vector<int> axes, NormalizeAxes(graph, node, axes_raw, rank));
  SliceParams p;
  p.start.assign(static_cast<size_t>(rank), 0);
  p.step.assign(static_cast<size_t>(rank), 1);
  p.out_shape = in;
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t a = static_cast<size_t>(axes[i]);
    const int64_t dim = in[a];
    if (steps[i] == 0) return InvalidModel(graph.Where(&node) + "slice step is 0");
    // |INT64_MIN| does not fit; any step beyond the dim behaves the same.
    const int64_t step = std::max(steps[i], -std::numeric_limits<int64_t>::max());
    // Negative indices count from the end; INT64_MIN + dim cannot overflow since dim >= 0.
    int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t size;
    if (dim == 0) {
      size = 0;
    } else if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      size = e > s ? (e - s - 1) / step + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      size = s > e ? (s - e - 1) / -step + 1 : 0;
    }
    p.start[a] = size > 0 ? s : 0;
    p.step[a] = step;
    p.out_shape[a] = size;
  }
  return p;
}

StatusOr<GatherParams> ResolveGather(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "data"));
  TQ_ASSIGN_OR_RETURN(const Value* idx, Required(graph, node, 1, "indices"));
  const int rank = static_cast<int>(x->shape().size());
  if (rank == 0) return InvalidModel(graph.Where(&node) + "data must have rank >= 1");
  if (idx->dtype() != DType::kS32 && idx->dtype() != DType::kS64)
    return InvalidModel(graph.Where(&node) + "indices must be s32/s64, got " +
                        DTypeName(idx->dtype()));
  GatherParams p;
  TQ_ASSIGN_OR_RETURN(p.axis, NormalizeAxis(node.GetInt("axis", 0), rank, graph.Where(&node)));
  const int64_t dim = x->shape()[static_cast<size_t>(p.axis)];
  if (idx->is_constant()) {
    for (int64_t i : idx->constant()->ToInt64Vector())
      if (i < -dim || i >= dim)
        return InvalidModel(graph.Where(&node) + "index " + std::to_string(i) +
                            " out of range for dim " + std::to_string(dim));
  } else if (dim == 0 && NumElements(idx->shape()) > 0) {
    return InvalidModel(graph.Where(&node) + "gathers from an empty axis");
  }
  const Shape& in = x->shape();
  p.out_shape.assign(in.begin(), in.begin() + p.axis);
  p.out_shape.insert(p.out_shape.end(), idx->shape().begin(), idx->shape().end());
  p.out_shape.insert(p.out_shape.end(), in.begin() + p.axis + 1, in.end());
  return p;
}

StatusOr<Shape> ResolveSqueeze(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "data"));
  const Shape& in = x->shape();
  const int rank = static_cast<int>(in.size());
  std::vector<bool> drop(in.size(), false);
  if (node.HasAttr("axes")) {
    TQ_ASSIGN_OR_RETURN(std::vector<int> axes,
                        NormalizeAxes(graph, node, node.GetInts("axes"), rank));
    for (int a : axes) {
      if (in[static_cast<size_t>(a)] != 1)
        return InvalidModel(graph.Where(&node) + "cannot squeeze dim " + std::to_string(a) +
                            " of size " + std::to_string(in[static_cast<size_t>(a)]) + " in " +
                            ShapeToString(in));
      drop[static_cast<size_t>(a)] = true;
    }
  } else {
    for (size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
  }
  Shape out;
  for (size_t i = 0; i < in.size(); ++i)
    if (!drop[i]) out.push_back(in[i]);
  return out;
}

StatusOr<Shape> ResolveUnsqueeze(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "data"));
  if (!node.HasAttr("axes")) return InvalidModel(graph.Where(&node) + "attribute axes missing");
  const std::vector<int64_t> raw = node.GetInts("axes");
  const int out_rank = static_cast<int>(x->shape().size() + raw.size());
  TQ_ASSIGN_OR_RETURN(std::vector<int> axes, NormalizeAxes(graph, node, raw, out_rank));
  Shape out(static_cast<size_t>(out_rank), 1);
  std::vector<bool> is_new(static_cast<size_t>(out_rank), false);
  for (int a : axes) is_new[static_cast<size_t>(a)] = true;
  size_t j = 0;
  for (size_t i = 0; i < out.size(); ++i)
    if (!is_new[i]) out[i] = x->shape()[j++];
  return out;
}

StatusOr<PadParams> ResolvePad(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "data"));
  const std::string mode = node.GetString("mode", "constant");
  if (mode != "constant")
    return Unsupported(graph.Where(&node) + "pad mode '" + mode + "' (only 'constant')");
  const Shape& in = x->shape();
  const int rank = static_cast<int>(in.size());
  TQ_ASSIGN_OR_RETURN(std::vector<int64_t> pads, ConstInts(graph, node, 1, "pads"));
  std::vector<int> axes;
  if (node.input(3)) {
    TQ_ASSIGN_OR_RETURN(std::vector<int64_t> raw, ConstInts(graph, node, 3, "axes"));
    TQ_ASSIGN_OR_RETURN(axes, NormalizeAxes(graph, node, raw, rank));
  } else {
    for (int i = 0; i < rank; ++i) axes.push_back(i);
  }
  if (pads.size() != 2 * axes.size())
    return InvalidModel(graph.Where(&node) + "pads " + IntsToString(pads) + " must have " +
                        std::to_string(2 * axes.size()) + " entries");
  if (const Value* cv = node.input(2)) {
    if (cv->dtype() != x->dtype() || NumElements(cv->shape()) != 1)
      return InvalidModel(graph.Where(&node) + "constant_value must be one " +
                          DTypeName(x->dtype()) + " element");
  }
  PadParams p;
  p.begin.assign(in.size(), 0);
  p.end.assign(in.size(), 0);
  p.out_shape = in;
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t a = static_cast<size_t>(axes[i]);
    p.begin[a] = pads[i];
    p.end[a] = pads[i + axes.size()];
    if (p.begin[a] < -in[a] || p.end[a] < -in[a])
      return InvalidModel(graph.Where(&node) + "pads " + IntsToString(pads) + " crop more than" +
                          " dim " + std::to_string(a) + " of " + ShapeToString(in));
    // Bounded first so the sum cannot overflow (dims are <= 2^31, src/ir/tensor_limits.h).
    if (p.begin[a] > kMaxTensorElements || p.end[a] > kMaxTensorElements)
      return InvalidModel(graph.Where(&node) + "pads " + IntsToString(pads) +
                          " are larger than 2^31");
    p.out_shape[a] = in[a] + p.begin[a] + p.end[a];
    if (p.out_shape[a] < 0)
      return InvalidModel(graph.Where(&node) + "pads " + IntsToString(pads) + " crop more than" +
                          " dim " + std::to_string(a) + " of " + ShapeToString(in));
  }
  return p;
}

StatusOr<ShapeOpParams> ResolveShapeOp(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "data"));
  const int64_t rank = static_cast<int64_t>(x->shape().size());
  auto norm = [rank](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  ShapeOpParams p;
  p.start = static_cast<int>(norm(node.GetInt("start", 0)));
  p.end = static_cast<int>(norm(node.GetInt("end", rank)));
  if (p.end < p.start) p.end = p.start;
  return p;
}

StatusOr<int64_t> ResolveRangeCount(const Graph& graph, const Node& node) {
  const Value* v[3];
  const char* names[3] = {"start", "limit", "delta"};
  for (int i = 0; i < 3; ++i) {
    TQ_ASSIGN_OR_RETURN(v[i], Required(graph, node, i, names[i]));
    if (NumElements(v[i]->shape()) != 1 || v[i]->shape().size() > 1)
      return InvalidModel(graph.Where(&node) + names[i] + " must be a scalar, got shape " +
                          ShapeToString(v[i]->shape()));
    if (v[i]->dtype() != v[0]->dtype())
      return InvalidModel(graph.Where(&node) + "start/limit/delta dtypes differ");
  }
  const DType t = v[0]->dtype();
  if (t != DType::kF32 && t != DType::kS32 && t != DType::kS64)
    return Unsupported(graph.Where(&node) + "Range of dtype " + DTypeName(t));
  for (int i = 0; i < 3; ++i)
    if (!v[i]->is_constant())
      return Unsupported(graph.Where(&node) + names[i] +
                         " is not a constant (tinyq needs static shapes)");
  int64_t n = 0;
  if (t == DType::kF32) {
    // Counted in double from the f32 inputs, as ONNX's reference (numpy arange) does.
    const double s = v[0]->constant()->data<float>()[0];
    const double l = v[1]->constant()->data<float>()[0];
    const double d = v[2]->constant()->data<float>()[0];
    if (d == 0 || !std::isfinite(s) || !std::isfinite(l) || !std::isfinite(d))
      return InvalidModel(graph.Where(&node) + "delta must be non-zero and all inputs finite");
    const double count = std::max(std::ceil((l - s) / d), 0.0);
    if (count > static_cast<double>(std::numeric_limits<int32_t>::max()))
      return Unsupported(graph.Where(&node) + "Range of " + std::to_string(count) + " elements");
    n = static_cast<int64_t>(count);
  } else {
    // Exact integer ceil((limit - start) / delta): the span |limit - start| always fits uint64.
    const int64_t s = v[0]->constant()->ToInt64Vector()[0];
    const int64_t l = v[1]->constant()->ToInt64Vector()[0];
    const int64_t d = v[2]->constant()->ToInt64Vector()[0];
    if (d == 0) return InvalidModel(graph.Where(&node) + "delta must be non-zero");
    if ((d > 0 && l > s) || (d < 0 && l < s)) {
      const uint64_t span = l > s ? static_cast<uint64_t>(l) - static_cast<uint64_t>(s)
                                  : static_cast<uint64_t>(s) - static_cast<uint64_t>(l);
      const uint64_t step = d > 0 ? static_cast<uint64_t>(d) : 0 - static_cast<uint64_t>(d);
      const uint64_t count = span / step + (span % step != 0 ? 1 : 0);
      if (count > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
        return Unsupported(graph.Where(&node) + "Range of " + std::to_string(count) + " elements");
      n = static_cast<int64_t>(count);
    }
  }
  return n;
}

namespace {

// Shared checks of Q/DQ: the scale (f32, one element or one per channel along `axis`) and the
// optional zero point (as many elements as the scale).
StatusOr<QdqParams> ResolveQdq(const Graph& graph, const Node& node, const Value* x) {
  TQ_ASSIGN_OR_RETURN(const Value* scale, Required(graph, node, 1, "scale"));
  if (scale->dtype() != DType::kF32)
    return Unsupported(graph.Where(&node) + "scale of dtype " + DTypeName(scale->dtype()));
  QdqParams p;
  const int rank = static_cast<int>(x->shape().size());
  const int64_t n = NumElements(scale->shape());
  if (scale->shape().size() > 1)
    return InvalidModel(graph.Where(&node) + "scale must be a scalar or 1-D, got " +
                        ShapeToString(scale->shape()));
  // One element is per-tensor whatever its rank (as onnxruntime reads a [1] scale, which many
  // exporters emit); more than one is per-axis.
  if (n != 1) {
    TQ_ASSIGN_OR_RETURN(p.axis, NormalizeAxis(node.GetInt("axis", 1), rank, graph.Where(&node)));
    if (x->shape()[static_cast<size_t>(p.axis)] != n)
      return InvalidModel(graph.Where(&node) + "scale has " + std::to_string(n) +
                          " elements but dim " + std::to_string(p.axis) + " of " +
                          ShapeToString(x->shape()) + " is not that");
    p.channels = n;
  }
  if (const Tensor* t = scale->constant())
    for (float s : t->ToFloatVector())
      if (!(s > 0.0f) || !std::isfinite(s))
        return InvalidModel(graph.Where(&node) + "scale " + std::to_string(s) +
                            " is not positive and finite");
  if (const Value* zp = node.input(2)) {
    if (NumElements(zp->shape()) != n || zp->shape().size() > 1)
      return InvalidModel(graph.Where(&node) + "zero point shape " + ShapeToString(zp->shape()) +
                          " differs from scale shape " + ShapeToString(scale->shape()));
  }
  return p;
}

}  // namespace

StatusOr<QdqParams> ResolveQuantizeLinear(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "x"));
  if (x->dtype() != DType::kF32 && x->dtype() != DType::kS32)
    return Unsupported(graph.Where(&node) + "QuantizeLinear of dtype " + DTypeName(x->dtype()));
  TQ_ASSIGN_OR_RETURN(QdqParams p, ResolveQdq(graph, node, x));
  p.quant_dtype = node.input(2) ? node.input(2)->dtype() : DType::kU8;
  if (p.quant_dtype != DType::kS8 && p.quant_dtype != DType::kU8)
    return Unsupported(graph.Where(&node) + "zero point of dtype " + DTypeName(p.quant_dtype) +
                       " (s8/u8 only)");
  return p;
}

StatusOr<QdqParams> ResolveDequantizeLinear(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(const Value* x, Required(graph, node, 0, "x"));
  const DType t = x->dtype();
  if (t != DType::kS8 && t != DType::kU8 && t != DType::kS32)
    return Unsupported(graph.Where(&node) + "DequantizeLinear of dtype " + DTypeName(t));
  TQ_ASSIGN_OR_RETURN(QdqParams p, ResolveQdq(graph, node, x));
  p.quant_dtype = t;
  if (const Value* zp = node.input(2)) {
    if (zp->dtype() != t)
      return InvalidModel(graph.Where(&node) + "zero point dtype " + DTypeName(zp->dtype()) +
                          " differs from x dtype " + DTypeName(t));
    if (t == DType::kS32) {
      // ONNX: an int32 input has no zero point (it is 0); a non-zero one is invalid.
      if (!zp->is_constant())
        return Unsupported(graph.Where(&node) + "non-constant s32 zero point");
      for (int64_t z : zp->constant()->ToInt64Vector())
        if (z != 0) return InvalidModel(graph.Where(&node) + "s32 zero point must be 0");
    }
  }
  return p;
}

}  // namespace tinyq
