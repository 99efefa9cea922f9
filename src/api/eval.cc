// Evaluate: a model's metric on a dataset (top-1 accuracy, or ROC AUC of the reconstruction error
// for anomaly detectors), streaming the data in batches.
#include <algorithm>
#include <cmath>

#include "tinyq/api.h"
#include "passes/quantize_int8.h"
#include "tinyq/passes.h"
#include "tinyq/quantize.h"

namespace tinyq {
namespace {

StatusOr<const Value*> SingleInput(const Graph& g) {
  const Value* in = nullptr;
  for (const Value* v : g.inputs()) {
    if (v->is_constant()) continue;
    if (in) return Unsupported(g.Where() + "evaluation needs a model with exactly one input");
    in = v;
  }
  if (!in) return InvalidModel(g.Where() + "model has no input");
  if (in->shape().empty() || in->shape()[0] < 1)
    return Unsupported(g.Where() + "input '" + in->name() + "' has no batch dimension");
  return in;
}

template <typename T>
void Preprocessed(const T* src, float* dst, int64_t n, const Preprocess& p) {
  const float inv_std = 1.0f / p.std;
  for (int64_t i = 0; i < n; ++i) dst[i] = (static_cast<float>(src[i]) * p.scale - p.mean) * inv_std;
}

}  // namespace

StatusOr<std::unique_ptr<Graph>> OptimizeForInference(const Graph& graph) {
  std::unique_ptr<Graph> g = graph.Clone();
  TQ_RETURN_IF_ERROR(RunPasses(*g, DefaultFloatPipeline()));
  return g;
}

StatusOr<RunnableGraph> PrepareRunnable(const Graph& graph, bool require_int8) {
  RunnableGraph r;
  r.int8 = IsQuantizedGraph(graph);
  if (require_int8 && !r.int8)
    return FailedPrecondition(graph.Where() + "--int8 needs a quantized model (run tinyq quantize "
                              "first); this one has no int8 tensors");
  if (r.int8) {
    r.graph = &graph;
  } else {
    TQ_ASSIGN_OR_RETURN(r.owned, OptimizeForInference(graph));
    r.graph = r.owned.get();
  }
  return r;
}

StatusOr<Tensor> PrepareInputBatch(const Graph& graph, const Tensor& x, int64_t begin, int64_t end,
                                   const Preprocess& pre, const std::string& data_path) {
  TQ_ASSIGN_OR_RETURN(const Value* in, SingleInput(graph));
  const int64_t per_sample = NumElements(in->shape()) / in->shape()[0];
  if (x.rank() < 1 || x.numel() / std::max<int64_t>(x.dim(0), 1) != per_sample)
    return InvalidArgument(data_path + ": x has shape " + ShapeToString(x.shape()) +
                           " but model input '" + in->name() + "' needs samples of " +
                           std::to_string(per_sample) + " elements (" +
                           ShapeToString(in->shape()) + ")");
  Shape s = in->shape();
  s[0] = end - begin;
  Tensor t(DType::kF32, s);
  const int64_t n = (end - begin) * per_sample;
  const int64_t off = begin * per_sample;
  float* dst = t.data<float>();
  switch (x.dtype()) {
    case DType::kF32: Preprocessed(x.data<float>() + off, dst, n, pre); break;
    case DType::kF64: Preprocessed(x.data<double>() + off, dst, n, pre); break;
    case DType::kU8: Preprocessed(x.data<uint8_t>() + off, dst, n, pre); break;
    case DType::kS8: Preprocessed(x.data<int8_t>() + off, dst, n, pre); break;
    case DType::kS16: Preprocessed(x.data<int16_t>() + off, dst, n, pre); break;
    case DType::kU16: Preprocessed(x.data<uint16_t>() + off, dst, n, pre); break;
    case DType::kS32: Preprocessed(x.data<int32_t>() + off, dst, n, pre); break;
    case DType::kS64: Preprocessed(x.data<int64_t>() + off, dst, n, pre); break;
    default: return InvalidArgument(data_path + ": x has unsupported dtype " + DTypeName(x.dtype()));
  }
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(dst[i]))
      return InvalidArgument(data_path + ": x sample " + std::to_string(begin + i / per_sample) +
                             " has a non-finite value after preprocessing");
  return t;
}

double RocAuc(const std::vector<double>& scores, const std::vector<int64_t>& labels) {
  // Mann-Whitney U with average ranks for ties.
  std::vector<size_t> idx(scores.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum_pos = 0.0;
  int64_t pos = 0, neg = 0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) ++j;
    const double avg_rank = (static_cast<double>(i) + static_cast<double>(j - 1)) / 2.0 + 1.0;
    for (size_t k = i; k < j; ++k)
      if (labels[idx[k]] == 1) rank_sum_pos += avg_rank;
    i = j;
  }
  for (int64_t l : labels) (l == 1 ? pos : neg)++;
  if (pos == 0 || neg == 0) return 0.5;
  return (rank_sum_pos - static_cast<double>(pos) * (pos + 1) / 2.0) /
         (static_cast<double>(pos) * static_cast<double>(neg));
}

StatusOr<EvalResult> Evaluate(const Graph& graph, const Dataset& data, const std::string& data_path,
                              const EvalOptions& options) {
  TQ_ASSIGN_OR_RETURN(const Value* in, SingleInput(graph));
  if (options.metric != "top1" && options.metric != "auc")
    return InvalidArgument("metric must be top1 or auc, got '" + options.metric + "'");
  if (!data.has_labels)
    return InvalidArgument(data_path + ": evaluation needs labels (an .npz with x and y)");
  if (data.x.rank() < 1 || data.x.dim(0) == 0)
    return InvalidArgument(data_path + ": x holds no samples");
  if (data.y.numel() != data.x.dim(0))
    return InvalidArgument(data_path + ": y has " + std::to_string(data.y.numel()) +
                           " labels but x has " + std::to_string(data.x.dim(0)) + " samples");
  if (graph.outputs().empty()) return InvalidModel(graph.Where() + "model has no output");
  const Value* out = graph.outputs()[0];
  const int64_t b = in->shape()[0];
  int64_t n = data.x.dim(0);
  if (options.limit > 0) n = std::min(n, options.limit);
  n -= n % b;
  if (n == 0) return InvalidArgument(data_path + ": fewer samples than the model's batch " +
                                     std::to_string(b));
  const int64_t out_per_sample = NumElements(out->shape()) / std::max<int64_t>(out->shape()[0], 1);
  const int64_t in_per_sample = NumElements(in->shape()) / b;
  const int64_t* labels = data.y.data<int64_t>();
  EvalResult r;
  r.metric = options.metric;
  if (options.metric == "top1") {
    if (out->shape().empty() || out->shape()[0] != b)
      return InvalidModel(graph.Where() + "output '" + out->name() + "' has no batch dimension");
    for (int64_t i = 0; i < n; ++i)
      if (labels[i] < 0 || labels[i] >= out_per_sample)
        return InvalidArgument(data_path + ": label " + std::to_string(labels[i]) + " of sample " +
                               std::to_string(i) + " is outside the model's " +
                               std::to_string(out_per_sample) + " classes");
  } else {
    if (out_per_sample != in_per_sample)
      return InvalidModel(graph.Where() + "anomaly metric needs a reconstruction output of the "
                          "input's size; output '" + out->name() + "' is " +
                          ShapeToString(out->shape()));
    for (int64_t i = 0; i < n; ++i)
      if (labels[i] != 0 && labels[i] != 1)
        return InvalidArgument(data_path + ": auc needs labels 0 (normal) or 1 (anomaly), sample " +
                               std::to_string(i) + " has " + std::to_string(labels[i]));
  }
  ExecutorOptions eo;
  eo.threads = options.threads;
  TQ_ASSIGN_OR_RETURN(RunnableGraph runnable, PrepareRunnable(graph, options.int8));
  eo.int8 = runnable.int8;
  r.int8 = runnable.int8;
  TQ_ASSIGN_OR_RETURN(auto exec, Executor::Create(*runnable.graph, eo));
  const int64_t chunk = 256 * b;
  double loss_sum = 0.0;
  int64_t correct = 0;
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t end = std::min(n, begin + chunk);
    TQ_ASSIGN_OR_RETURN(Tensor batch, PrepareInputBatch(graph, data.x, begin, end,
                                                        options.preprocess, data_path));
    TensorMap feeds;
    TQ_ASSIGN_OR_RETURN(Tensor fed, QuantizeForInput(*in, batch));
    feeds.emplace(in->name(), std::move(fed));
    TQ_ASSIGN_OR_RETURN(TensorMap outs, exec->RunBatch(feeds));
    TQ_ASSIGN_OR_RETURN(const Tensor o, DequantizeOutput(*out, outs.at(out->name())));
    if (o.dtype() != DType::kF32)
      return Unsupported(graph.Where() + "output '" + out->name() + "' is not float32");
    const float* p = o.data<float>();
    for (int64_t i = 0; i < end - begin; ++i) {
      const float* row = p + i * out_per_sample;
      if (options.metric == "top1") {
        const int64_t pred = std::max_element(row, row + out_per_sample) - row;
        const float mx = row[pred];
        double se = 0.0;
        for (int64_t c = 0; c < out_per_sample; ++c) se += std::exp(static_cast<double>(row[c] - mx));
        loss_sum += std::log(se) - (row[labels[begin + i]] - mx);
        correct += pred == labels[begin + i];
        r.predictions.push_back(pred);
      } else {
        const float* src = batch.data<float>() + i * in_per_sample;
        double mse = 0.0;
        for (int64_t k = 0; k < in_per_sample; ++k) {
          const double d = static_cast<double>(row[k]) - src[k];
          mse += d * d;
        }
        mse /= static_cast<double>(in_per_sample);
        loss_sum += mse;
        r.scores.push_back(mse);
      }
    }
    if (options.progress) options.progress(end, n);
  }
  r.samples = n;
  r.loss = loss_sum / static_cast<double>(n);
  if (options.metric == "top1") {
    r.value = 100.0 * static_cast<double>(correct) / static_cast<double>(n);
  } else {
    r.value = RocAuc(r.scores, std::vector<int64_t>(labels, labels + n));
  }
  return r;
}

}  // namespace tinyq
