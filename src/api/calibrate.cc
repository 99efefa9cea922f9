// Calibrate: stream a dataset through the float model and observe every float activation; and
// the float <-> int8 conversions at the borders of a quantized graph.
#include <algorithm>
#include <map>

#include "src/quant/quant_math.h"
#include "tinyq/quantize.h"

namespace tinyq {

StatusOr<CalibrationTable> Calibrate(const Graph& graph, const Dataset& data,
                                     const std::string& data_path, const CalibrateOptions& options) {
  if (graph.inputs().size() != 1)
    return Unsupported(graph.Where() + "calibration needs a model with exactly one input");
  const Value* in = graph.inputs()[0];
  if (data.x.rank() < 1 || data.x.dim(0) == 0)
    return InvalidArgument(data_path + ": x holds no samples");
  const int64_t b = in->shape().empty() ? 1 : std::max<int64_t>(in->shape()[0], 1);
  int64_t n = data.x.dim(0);
  if (options.limit > 0) n = std::min(n, options.limit);
  n -= n % b;
  if (n == 0) return InvalidArgument(data_path + ": fewer calibration samples than the batch");

  std::map<std::string, std::unique_ptr<Observer>> observers;
  Status first_error = Status::Ok();
  auto observe = [&](const Value& v, const Tensor& t) {
    if (!first_error.ok() || v.is_constant() || t.dtype() != DType::kF32) return;
    auto it = observers.find(v.name());
    if (it == observers.end()) {
      auto made = MakeObserver(v.name(), options.observer);
      if (!made.ok()) {
        first_error = made.status();
        return;
      }
      it = observers.emplace(v.name(), std::move(made).value()).first;
    }
    Status s = it->second->Observe(t.data<float>(), t.numel());
    if (!s.ok()) first_error = s.WithPrefix(graph.Where() + data_path + ": ");
  };

  ExecutorOptions eo;
  eo.threads = options.threads;
  TQ_ASSIGN_OR_RETURN(auto exec, Executor::Create(graph, eo));
  const int64_t chunk = 64 * b;
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t end = std::min(n, begin + chunk);
    TQ_ASSIGN_OR_RETURN(Tensor batch,
                        PrepareInputBatch(graph, data.x, begin, end, options.preprocess, data_path));
    observe(*in, batch);
    TensorMap feeds;
    feeds.emplace(in->name(), std::move(batch));
    TQ_ASSIGN_OR_RETURN(TensorMap outs, exec->RunBatch(feeds, observe));
    TQ_RETURN_IF_ERROR(first_error);
    if (options.progress) options.progress("calibrate", end, n);
  }
  CalibrationTable table;
  for (auto& [name, obs] : observers) {
    TQ_ASSIGN_OR_RETURN(Range r, obs->ComputeRange());
    TQ_RETURN_IF_ERROR(table.Set(name, obs->ToEntry(r)));
  }
  return table;
}

StatusOr<Tensor> QuantizeForInput(const Value& input, const Tensor& x) {
  if (input.dtype() != DType::kS8) return Tensor(x);
  if (!input.quant() || input.quant()->scale.size() != 1)
    return InvalidModel("input '" + input.name() + "' is int8 without per-tensor quant params");
  if (x.dtype() == DType::kS8) return Tensor(x);
  if (x.dtype() != DType::kF32)
    return InvalidArgument("input '" + input.name() + "': expected float32 or int8 data, got " +
                           DTypeName(x.dtype()));
  auto q = quant::QuantizeTensorS8(x, input.quant()->scale[0], input.quant()->zero_point[0]);
  if (!q.ok()) return q.status().WithPrefix("input '" + input.name() + "': ");
  return q;
}

StatusOr<Tensor> DequantizeOutput(const Value& output, const Tensor& q) {
  if (q.dtype() != DType::kS8) return Tensor(q);
  if (!output.quant() || output.quant()->scale.size() != 1)
    return InvalidModel("output '" + output.name() + "' is int8 without per-tensor quant params");
  return quant::DequantizeTensorS8(q, output.quant()->scale[0], output.quant()->zero_point[0]);
}

}  // namespace tinyq
