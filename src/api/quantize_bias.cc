// Running the float and the int8 graph side by side on calibration data, and the empirical bias
// correction built on it.
//
// Bias correction (Nagel et al. 2019, empirical variant; Finkelstein et al. 2019): quantizing the
// weights shifts the expected output of a layer, E[y_q] != E[y]. For a quantized Conv/Gemm with
// output channel c (axis 1 of its NCHW / [M, N] output),
//   delta[c] = mean over samples and positions of (y_float[c] - dequant(y_int8)[c])
//   bias_q[c] += round(delta[c] / (s_in * s_w[c]))           (the int32 bias scale)
// A node without a bias gets one. Layers are corrected one at a time in graph order, each measured
// after the layers before it were corrected (256 calibration samples per measurement).
#include <cmath>
#include <map>

#include "src/api/quantize_internal.h"

namespace tinyq {
namespace {

// Samples per layer measurement (the correction runs one int8 pass per corrected layer).
constexpr int64_t kBiasCorrectionSamples = 256;

struct ChannelSums {
  std::vector<double> sum;
  int64_t count = 0;  // elements per channel summed
  void Add(const Tensor& t) {
    if (t.rank() < 2 || t.dtype() != DType::kF32) return;
    const int64_t n = t.dim(0), c = t.dim(1), inner = t.numel() / std::max<int64_t>(n * c, 1);
    sum.resize(static_cast<size_t>(c), 0.0);
    const float* p = t.data<float>();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t k = 0; k < inner; ++k) sum[static_cast<size_t>(ch)] += p[(i * c + ch) * inner + k];
    count += n * inner;
  }
};

}  // namespace

Status StreamFloatAndInt8(const Graph& float_graph, const Graph& int8_graph, const Dataset& data,
                          const std::string& data_path, const QuantizeOptions& o, int64_t limit,
                          const TensorVisitor& on_float, const TensorVisitor& on_int8) {
  ExecutorOptions fo;
  fo.threads = o.threads;
  ExecutorOptions qo = fo;
  qo.int8 = true;
  TQ_ASSIGN_OR_RETURN(auto fexec, Executor::Create(float_graph, fo));
  TQ_ASSIGN_OR_RETURN(auto qexec, Executor::Create(int8_graph, qo));
  const Value* fin = float_graph.inputs()[0];
  const Value* qin = int8_graph.inputs()[0];
  const int64_t b = std::max<int64_t>(fin->shape().empty() ? 1 : fin->shape()[0], 1);
  int64_t n = data.x.dim(0);
  if (limit > 0) n = std::min(n, limit);
  n -= n % b;
  Status err = Status::Ok();
  auto dequantized = [&](const Value& v, const Tensor& t) {
    if (t.dtype() == DType::kF32) return on_int8(v, t);
    if (t.dtype() != DType::kS8 || !v.quant() || v.quant()->scale.size() != 1) return;
    auto f = DequantizeOutput(v, t);
    if (!f.ok()) {
      err = f.status();
      return;
    }
    on_int8(v, *f);
  };
  const int64_t chunk = 32 * b;
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t end = std::min(n, begin + chunk);
    TQ_ASSIGN_OR_RETURN(Tensor x, PrepareInputBatch(float_graph, data.x, begin, end, o.preprocess,
                                                    data_path));
    TQ_ASSIGN_OR_RETURN(Tensor xq, QuantizeForInput(*qin, x));
    TensorMap ff, qf;
    ff.emplace(fin->name(), std::move(x));
    qf.emplace(qin->name(), std::move(xq));
    if (on_float) TQ_RETURN_IF_ERROR(fexec->RunBatch(ff, on_float).status());
    if (on_int8) TQ_RETURN_IF_ERROR(qexec->RunBatch(qf, dequantized).status());
    TQ_RETURN_IF_ERROR(err);
  }
  return Status::Ok();
}

Status CorrectBias(const Graph& float_graph, Graph& int8_graph, const Dataset& calib,
                   const std::string& calib_path, const QuantizeOptions& o,
                   std::vector<std::string>* notes) {
  std::vector<std::pair<std::string, Node*>> targets;  // quantized Conv/Gemm, graph order
  for (Node* n : int8_graph.TopoOrder()) {
    if ((n->op() == OpKind::kConv || n->op() == OpKind::kGemm) &&
        n->output(0)->dtype() == DType::kS8 && n->input(1) && n->input(1)->quant() &&
        float_graph.FindNode(n->name()))
      targets.emplace_back(n->name() + "#0", n);
  }
  const int64_t samples = std::min<int64_t>(o.calib_limit > 0 ? o.calib_limit : calib.x.dim(0),
                                            kBiasCorrectionSamples);
  std::map<std::string, ChannelSums> fsum;
  TQ_RETURN_IF_ERROR(StreamFloatAndInt8(
      float_graph, int8_graph, calib, calib_path, o, samples,
      [&](const Value& v, const Tensor& t) { fsum[NodeOutputKey(v)].Add(t); }, nullptr));
  // One layer at a time, in graph order: each layer's error is measured with every earlier layer
  // already corrected, so an upstream shift is not compensated twice.
  int corrected = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string& key = targets[i].first;
    Node* node = targets[i].second;
    ChannelSums q;
    TQ_RETURN_IF_ERROR(StreamFloatAndInt8(
        float_graph, int8_graph, calib, calib_path, o, samples, nullptr,
        [&](const Value& v, const Tensor& t) {
          if (NodeOutputKey(v) == key) q.Add(t);
        }));
    if (o.progress) o.progress("bias-correction", static_cast<int64_t>(i + 1),
                               static_cast<int64_t>(targets.size()));
    const ChannelSums& f = fsum[key];
    const QuantParams& wq = *node->input(1)->quant();
    const size_t channels = wq.scale.size();
    if (f.sum.size() != channels || q.sum.size() != channels || f.count == 0 || q.count != f.count)
      continue;
    Value* bias = node->input(2);
    if (!bias) {
      const float s_in = node->input(0)->quant()->scale[0];
      QuantParams bp;
      for (float s : wq.scale) bp.scale.push_back(s_in * s);
      bp.zero_point.assign(channels, 0);
      bp.axis = 0;
      bp.storage = DType::kS32;
      bias = int8_graph.AddConstant(int8_graph.UniqueName(node->name() + ".bias"),
                                    Tensor(DType::kS32, {static_cast<int64_t>(channels)}));
      bias->set_quant(bp);
      while (node->num_inputs() < 2) int8_graph.AddInput(node, nullptr);
      int8_graph.AddInput(node, bias);
    }
    int32_t* b = bias->mutable_constant()->data<int32_t>();
    for (size_t c = 0; c < channels; ++c) {
      const double delta = (f.sum[c] - q.sum[c]) / static_cast<double>(f.count);
      const double nb = std::round(static_cast<double>(b[c]) + delta / bias->quant()->scale[c]);
      b[c] = static_cast<int32_t>(std::max(-2147483647.0, std::min(2147483647.0, nb)));
    }
    ++corrected;
  }
  notes->push_back("bias_correction: corrected " + std::to_string(corrected) + " layers, " +
                   std::to_string(samples) + " calibration samples each");
  return Status::Ok();
}

}  // namespace tinyq
