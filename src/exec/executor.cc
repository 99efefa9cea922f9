// Executor: prepares one kernel per node, then evaluates in topological order.
#include "tinyq/executor.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "src/exec/int8_common.h"
#include "src/exec/int8_layout.h"
#include "src/exec/kernel.h"

namespace tinyq {

struct Executor::Impl {
  const Graph* graph = nullptr;
  ExecutorOptions options;
  // Nodes in execution order, and one prepared kernel per node for each worker thread: kernel
  // instances own scratch buffers, so two threads never share one.
  std::vector<const Node*> order;
  std::vector<std::vector<std::unique_ptr<KernelInstance>>> kernels;
  // Inputs whose leading dim is the batch dimension; batch = graph input dim 0.
  std::vector<const Value*> inputs;
  std::vector<const Value*> outputs;
  // int8 mode: the values stored channel-last between int8 kernels (int8_layout.h).
  std::unordered_set<const Value*> channel_last;

  // The kernel a node runs: with options.int8, nodes of the quantized region (int8_common.h:
  // InQuantizedRegion) run their kInt8 kernel and every other node (float fallback, Q/DQ
  // borders) its float kernel. Without options.int8, a quantized-region node that is not pure
  // data movement cannot run on float kernels and is refused.
  StatusOr<const KernelRegistration*> SelectKernel(const Node& n) const {
    const bool quantized = InQuantizedRegion(n);
    const Value* y = n.output(0);
    if (quantized && options.int8) {
      const KernelRegistration* reg = FindKernel(n.op(), ExecMode::kInt8);
      if (!reg)
        return Unsupported(graph->Where(&n) + "no int8 kernel for " + OpKindName(n.op()) +
                           " in the quantized region (output '" + y->name() +
                           "' is s8 with QuantParams)");
      return reg;
    }
    if (quantized && !IsDataMovementOp(n.op()))
      return FailedPrecondition(graph->Where(&n) + "output '" + y->name() +
                                "' is s8 with QuantParams (a quantized graph in QOp form); run "
                                "it with ExecutorOptions{.int8 = true}");
    const KernelRegistration* reg = FindKernel(n.op(), ExecMode::kFloat);
    if (!reg) return Unsupported(graph->Where(&n) + "no float kernel for this op");
    return reg;
  }

  // Prepares a kernel for every node (one worker's set).
  Status PrepareWorker() {
    std::vector<std::unique_ptr<KernelInstance>> set;
    for (const Node* n : order) {
      TQ_ASSIGN_OR_RETURN(const KernelRegistration* reg, SelectKernel(*n));
      const Int8Layouts layouts = LayoutsOf(*n, channel_last);
      bool any_channel_last = false;
      for (bool b : layouts.input_channel_last) any_channel_last = any_channel_last || b;
      for (bool b : layouts.output_channel_last) any_channel_last = any_channel_last || b;
      TQ_ASSIGN_OR_RETURN(auto kernel, any_channel_last && reg->prepare_layout
                                           ? reg->prepare_layout(*graph, *n, layouts)
                                           : reg->prepare(*graph, *n));
      set.push_back(std::move(kernel));
    }
    kernels.push_back(std::move(set));
    return Status::Ok();
  }

  // Runs one evaluation with worker `w`'s kernels; inputs already validated.
  TensorMap RunValidated(const TensorMap& feeds, const ValueObserver& observer,
                         size_t w = 0) const {
    std::unordered_map<const Value*, Tensor> env;
    auto lookup = [&](const Value* v) -> const Tensor* {
      if (!v) return nullptr;
      if (v->is_constant()) return v->constant();
      auto it = env.find(v);
      return it == env.end() ? nullptr : &it->second;
    };
    for (const Value* v : inputs) env.emplace(v, feeds.at(v->name()));
    // Free intermediate tensors after their last use to keep memory flat.
    std::unordered_map<const Value*, int> remaining;
    for (const Node* n : order)
      for (const Value* v : n->inputs())
        if (v && !v->is_constant()) remaining[v]++;
    for (const Value* v : outputs) remaining[v] += 1 << 20;
    KernelIO io;
    for (size_t step = 0; step < order.size(); ++step) {
      const Node* n = order[step];
      io.inputs.clear();
      io.outputs.clear();
      for (const Value* v : n->inputs()) io.inputs.push_back(lookup(v));
      for (const Value* o : n->outputs()) {
        if (!o) {
          io.outputs.push_back(nullptr);
          continue;
        }
        auto it = env.emplace(o, Tensor(o->dtype(), o->shape())).first;
        io.outputs.push_back(&it->second);
      }
      kernels[w][step]->Eval(io);
      if (observer)
        for (size_t i = 0; i < n->outputs().size(); ++i) {
          const Value* o = n->outputs()[i];
          if (!o) continue;
          if (!channel_last.count(o)) {
            observer(*o, *io.outputs[i]);
            continue;
          }
          Tensor nchw(o->dtype(), o->shape());  // the observer sees the IR's NCHW order
          RunStridedCopy(FromChannelLastPlan(o->shape()), io.outputs[i]->raw(), nchw.raw());
          observer(*o, nchw);
        }
      for (const Value* v : n->inputs()) {
        if (!v || v->is_constant()) continue;
        if (--remaining[v] == 0) env.erase(v);
      }
    }
    TensorMap out;
    for (const Value* v : outputs) {
      const Tensor* t = lookup(v);
      out.emplace(v->name(), t ? *t : Tensor(v->dtype(), v->shape()));
    }
    return out;
  }
};

Executor::Executor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Executor::~Executor() = default;
const Graph& Executor::graph() const { return *impl_->graph; }

StatusOr<std::unique_ptr<Executor>> Executor::Create(const Graph& graph, ExecutorOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->graph = &graph;
  impl->options = options;
  for (const Node* n : graph.TopoOrder()) impl->order.push_back(n);
  for (const Node* n : impl->order)
    for (const Value* o : n->outputs())
      if (o && !o->shape_known())
        return FailedPrecondition(graph.Where(n) + "output '" + o->name() +
                                  "' has no static shape");
  if (impl->order.size() != graph.nodes().size())
    return InvalidModel(graph.Where() + "graph has a cycle");
  if (options.int8) impl->channel_last = PlanInt8ChannelLast(graph, impl->order);
  TQ_RETURN_IF_ERROR(impl->PrepareWorker());
  for (const Value* v : graph.inputs())
    if (!v->is_constant()) impl->inputs.push_back(v);
  for (const Value* v : graph.outputs()) impl->outputs.push_back(v);
  return std::unique_ptr<Executor>(new Executor(std::move(impl)));
}

namespace {
Status CheckFeed(const Graph& g, const Value& v, const Tensor& t, bool batched, int64_t* k) {
  const std::string where = g.Where() + "input '" + v.name() + "': ";
  if (t.dtype() != v.dtype())
    return InvalidArgument(where + "expected dtype " + DTypeName(v.dtype()) + ", got " +
                           DTypeName(t.dtype()));
  const Shape& want = v.shape();
  const Shape& got = t.shape();
  bool ok = want.size() == got.size();
  if (ok && !want.empty()) {
    ok = std::equal(want.begin() + 1, want.end(), got.begin() + 1);
    if (batched) {
      ok = ok && want[0] > 0 && got[0] % want[0] == 0 && got[0] > 0;
      if (ok) {
        int64_t kk = got[0] / want[0];
        if (*k >= 0 && *k != kk) ok = false;
        *k = kk;
      }
    } else {
      ok = ok && want[0] == got[0];
    }
  }
  if (!ok)
    return InvalidArgument(where + "expected shape " + ShapeToString(want) +
                           (batched ? " (leading dim may be a multiple)" : "") + ", got " +
                           ShapeToString(got));
  return Status::Ok();
}

Status CheckAllFed(const Graph& g, const std::vector<const Value*>& inputs,
                   const TensorMap& feeds) {
  for (const Value* v : inputs)
    if (!feeds.count(v->name()))
      return InvalidArgument(g.Where() + "missing input '" + v->name() + "'");
  for (const auto& kv : feeds) {
    bool known = false;
    for (const Value* v : inputs) known = known || v->name() == kv.first;
    if (!known) return InvalidArgument(g.Where() + "model has no input named '" + kv.first + "'");
  }
  return Status::Ok();
}

// Slice [i*rows, (i+1)*rows) of the leading dimension.
Tensor SliceRows(const Tensor& t, int64_t i, int64_t rows) {
  Shape s = t.shape();
  s[0] = rows;
  Tensor out(t.dtype(), s);
  std::memcpy(out.raw(), static_cast<const uint8_t*>(t.raw()) + i * out.nbytes(), out.nbytes());
  return out;
}
}  // namespace

StatusOr<TensorMap> Executor::Run(const TensorMap& inputs, const ValueObserver& observer) {
  const Graph& g = *impl_->graph;
  TQ_RETURN_IF_ERROR(CheckAllFed(g, impl_->inputs, inputs));
  int64_t k = -1;
  for (const Value* v : impl_->inputs)
    TQ_RETURN_IF_ERROR(CheckFeed(g, *v, inputs.at(v->name()), false, &k));
  return impl_->RunValidated(inputs, observer);
}

StatusOr<TensorMap> Executor::RunBatch(const TensorMap& inputs, const ValueObserver& observer) {
  const Graph& g = *impl_->graph;
  TQ_RETURN_IF_ERROR(CheckAllFed(g, impl_->inputs, inputs));
  int64_t k = -1;
  for (const Value* v : impl_->inputs)
    TQ_RETURN_IF_ERROR(CheckFeed(g, *v, inputs.at(v->name()), true, &k));
  if (k <= 1) return impl_->RunValidated(inputs, observer);

  std::vector<TensorMap> results(static_cast<size_t>(k));
  auto run_slice = [&](int64_t i, const ValueObserver& obs, size_t worker) {
    TensorMap feed;
    for (const Value* v : impl_->inputs)
      feed.emplace(v->name(), SliceRows(inputs.at(v->name()), i, v->shape()[0]));
    results[static_cast<size_t>(i)] = impl_->RunValidated(feed, obs, worker);
  };
  int threads = impl_->options.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<int64_t>(threads, k));
  if (observer || threads == 1) {
    for (int64_t i = 0; i < k; ++i) run_slice(i, observer, 0);
  } else {
    while (impl_->kernels.size() < static_cast<size_t>(threads))
      TQ_RETURN_IF_ERROR(impl_->PrepareWorker());
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (int64_t i = t; i < k; i += threads) run_slice(i, nullptr, static_cast<size_t>(t));
      });
    for (auto& th : pool) th.join();
  }
  TensorMap out;
  for (const Value* v : impl_->outputs) {
    const Tensor& first = results[0].at(v->name());
    Shape s = first.shape();
    if (s.empty()) s = {1};
    s[0] *= k;
    Tensor t(first.dtype(), s);
    for (int64_t i = 0; i < k; ++i) {
      const Tensor& part = results[static_cast<size_t>(i)].at(v->name());
      std::memcpy(static_cast<uint8_t*>(t.raw()) + i * part.nbytes(), part.raw(), part.nbytes());
    }
    out.emplace(v->name(), std::move(t));
  }
  return out;
}

}  // namespace tinyq
