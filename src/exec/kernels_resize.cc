// Float kernel of Resize: nearest (all nearest_mode values) and N-linear, with the coordinate
// transformation modes half_pixel, pytorch_half_pixel, align_corners, asymmetric and
// tf_half_pixel_for_nearest. roi is ignored (it only matters for tf_crop_and_resize, which is
// Unsupported, as are cubic mode, antialias and the opset-18 axes attribute).
#include <memory>
#include <string>
#include <vector>

#include "src/exec/kernels_nn.h"
#include "src/exec/resize_f32.h"

namespace tinyq {
namespace {

StatusOr<ResizeCoordMode> ParseCoordMode(const Graph& graph, const Node& node) {
  const std::string s = node.GetString("coordinate_transformation_mode", "half_pixel");
  if (s == "half_pixel") return ResizeCoordMode::kHalfPixel;
  if (s == "pytorch_half_pixel") return ResizeCoordMode::kPytorchHalfPixel;
  if (s == "align_corners") return ResizeCoordMode::kAlignCorners;
  if (s == "asymmetric") return ResizeCoordMode::kAsymmetric;
  if (s == "tf_half_pixel_for_nearest") return ResizeCoordMode::kTfHalfPixelForNearest;
  return Unsupported(graph.Where(&node) + "coordinate_transformation_mode '" + s +
                     "' is not supported");
}

StatusOr<ResizeNearestMode> ParseNearestMode(const Graph& graph, const Node& node) {
  const std::string s = node.GetString("nearest_mode", "round_prefer_floor");
  if (s == "round_prefer_floor") return ResizeNearestMode::kRoundPreferFloor;
  if (s == "round_prefer_ceil") return ResizeNearestMode::kRoundPreferCeil;
  if (s == "floor") return ResizeNearestMode::kFloor;
  if (s == "ceil") return ResizeNearestMode::kCeil;
  return InvalidModel(graph.Where(&node) + "unknown nearest_mode '" + s + "'");
}

class ResizeKernel : public KernelInstance {
 public:
  explicit ResizeKernel(ResizeParamsF32 p) : p_(std::move(p)) {
    scratch_.resize(static_cast<size_t>(ResizeScratchSizeF32(p_)));
  }
  void Eval(KernelIO& io) override {
    ResizeF32(p_, io.inputs[0]->data<float>(), scratch_.data(), io.outputs[0]->data<float>());
  }

 private:
  ResizeParamsF32 p_;
  std::vector<float> scratch_;
};

StatusOr<std::unique_ptr<KernelInstance>> PrepareResize(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  const Value* y = node.output(0);
  if (!x || !y || x->shape().size() != y->shape().size())
    return InvalidModel(graph.Where(&node) + "input and output must be present with equal rank");
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 1, 1, y->shape()));
  const std::string mode = node.GetString("mode", "nearest");
  if (mode != "nearest" && mode != "linear")
    return Unsupported(graph.Where(&node) + "mode '" + mode + "' is not supported");
  if (node.GetInt("antialias", 0) != 0 || node.HasAttr("axes") ||
      node.GetString("keep_aspect_ratio_policy", "stretch") != "stretch")
    return Unsupported(graph.Where(&node) +
                       "antialias, axes and keep_aspect_ratio_policy are not supported");
  TQ_ASSIGN_OR_RETURN(ResizeCoordMode coord, ParseCoordMode(graph, node));
  TQ_ASSIGN_OR_RETURN(ResizeNearestMode nearest, ParseNearestMode(graph, node));
  const Value* scales_v = node.input(2);
  std::vector<float> scales;
  if (scales_v && scales_v->is_constant() && scales_v->constant()->numel() > 0) {
    if (scales_v->dtype() != DType::kF32)
      return InvalidModel(graph.Where(&node) + "scales must be f32");
    scales = scales_v->constant()->ToFloatVector();
  } else if (scales_v && !scales_v->is_constant()) {
    return Unsupported(graph.Where(&node) + "scales must be constant");
  }
  const Shape& xs = x->shape();
  const Shape& ys = y->shape();
  if (!scales.empty() && scales.size() != xs.size())
    return InvalidModel(graph.Where(&node) + "scales has " + std::to_string(scales.size()) +
                        " values for rank " + std::to_string(xs.size()));
  const bool linear = mode == "linear";
  std::vector<ResizeAxisF32> axes;
  for (size_t d = 0; d < xs.size(); ++d) {
    if (xs[d] < 1 || ys[d] < 1)
      return InvalidModel(graph.Where(&node) + "empty dimension in " + ShapeToString(xs) + " -> " +
                          ShapeToString(ys));
    const float scale =
        scales.empty() ? static_cast<float>(ys[d]) / static_cast<float>(xs[d]) : scales[d];
    const double length = scales.empty() ? static_cast<double>(ys[d])
                                         : static_cast<double>(xs[d]) * static_cast<double>(scale);
    axes.push_back(MakeResizeAxisF32(xs[d], ys[d], scale, length, coord, linear, nearest));
  }
  return std::unique_ptr<KernelInstance>(
      std::make_unique<ResizeKernel>(MakeResizeParamsF32(std::move(axes), linear)));
}

}  // namespace

void AppendResizeKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kResize, ExecMode::kFloat, PrepareResize});
}

}  // namespace tinyq
