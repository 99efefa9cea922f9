// Executor: prepares one kernel per node, then evaluates in topological order.
#include "tinyq/executor.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
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
  // Every non-constant value has a slot in a run's tensor table (computed once, so a run does
  // no hashing): the slots of each node's inputs (-1: absent or constant) and outputs (-1:
  // absent), of the graph inputs and outputs, and each slot's number of uses (graph outputs
  // are never freed).
  std::vector<std::vector<int>> in_slots, out_slots;
  std::vector<int> input_slots, output_slots, uses;

  int SlotOf(const Value* v, std::unordered_map<const Value*, int>* slots) {
    if (!v || v->is_constant()) return -1;
    auto it = slots->emplace(v, static_cast<int>(uses.size())).first;
    if (it->second == static_cast<int>(uses.size())) uses.push_back(0);
    return it->second;
  }

  void AssignSlots() {
    std::unordered_map<const Value*, int> slots;
    for (const Value* v : inputs) input_slots.push_back(SlotOf(v, &slots));
    for (const Node* n : order) {
      std::vector<int> in, out;
      for (const Value* v : n->inputs()) {
        in.push_back(SlotOf(v, &slots));
        if (in.back() >= 0) ++uses[static_cast<size_t>(in.back())];
      }
      for (const Value* v : n->outputs()) out.push_back(SlotOf(v, &slots));
      in_slots.push_back(std::move(in));
      out_slots.push_back(std::move(out));
    }
    for (const Value* v : outputs) {
      output_slots.push_back(SlotOf(v, &slots));
      if (output_slots.back() >= 0) uses[static_cast<size_t>(output_slots.back())] += 1 << 20;
    }
  }

  // int8 mode: the values stored channel-last between int8 kernels (int8_layout.h).
  std::unordered_set<const Value*> channel_last;

  // The kernel a node runs: with options.int8, nodes of the quantized region (int8_common.h:
  // InQuantizedRegion) run their kInt8 kernel and every other node (float fallback, Q/DQ
  // borders) its kFloatFallback kernel, the C99 runtime's float code that generated C runs too
  // (int8_float_fallback.cc), or for ops without one its float kernel. Without options.int8, a
  // quantized-region node that is not pure data movement cannot run on float kernels and is
  // refused.
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
    if (!quantized && options.int8)
      if (const KernelRegistration* reg = FindKernel(n.op(), ExecMode::kFloatFallback)) return reg;
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

  // Runs one evaluation with worker `w`'s kernels; inputs already validated. Intermediate
  // tensors are freed after their last use to keep memory flat.
  TensorMap RunValidated(TensorMap feeds, const ValueObserver& observer, size_t w = 0) const {
    std::vector<Tensor> env(uses.size());
    std::vector<int> remaining = uses;
    for (size_t i = 0; i < inputs.size(); ++i)
      env[static_cast<size_t>(input_slots[i])] = std::move(feeds.at(inputs[i]->name()));
    KernelIO io;
    for (size_t step = 0; step < order.size(); ++step) {
      const Node* n = order[step];
      const std::vector<int>& in = in_slots[step];
      const std::vector<int>& out = out_slots[step];
      io.inputs.clear();
      io.outputs.clear();
      for (size_t i = 0; i < in.size(); ++i) {
        const Value* v = n->inputs()[i];
        if (in[i] < 0) {
          io.inputs.push_back(v ? v->constant() : nullptr);
        } else {
          const Tensor& t = env[static_cast<size_t>(in[i])];
          io.inputs.push_back(t.raw() ? &t : nullptr);  // a value nothing produced
        }
      }
      for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] < 0) {
          io.outputs.push_back(nullptr);
          continue;
        }
        const Value* o = n->outputs()[i];
        Tensor& t = env[static_cast<size_t>(out[i])];
        t = Tensor(o->dtype(), o->shape());
        io.outputs.push_back(&t);
      }
      kernels[w][step]->Eval(io);
      if (observer)
        for (size_t i = 0; i < out.size(); ++i) {
          if (out[i] < 0) continue;
          const Value* o = n->outputs()[i];
          if (!channel_last.count(o)) {
            observer(*o, *io.outputs[i]);
            continue;
          }
          Tensor nchw(o->dtype(), o->shape());  // the observer sees the IR's NCHW order
          RunStridedCopy(FromChannelLastPlan(o->shape()), io.outputs[i]->raw(), nchw.raw());
          observer(*o, nchw);
        }
      for (int s : in)
        if (s >= 0 && --remaining[static_cast<size_t>(s)] == 0)
          env[static_cast<size_t>(s)] = Tensor();
    }
    TensorMap result;
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Value* v = outputs[i];
      const int s = output_slots[i];
      const Tensor* t = s < 0                               ? v->constant()
                        : env[static_cast<size_t>(s)].raw() ? &env[static_cast<size_t>(s)]
                                                            : nullptr;
      result.emplace(v->name(), t ? *t : Tensor(v->dtype(), v->shape()));
    }
    return result;
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
  impl->AssignSlots();
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
// Runs slices 0..k-1 on `threads` workers (worker t takes t, t + threads, ...) while the calling
// thread replays what each slice observed, in slice order, through `observer`: the observer sees
// exactly the calls of a one-thread run (deterministic results; it need not be thread-safe) and
// works while the workers compute. A worker starts slice i only once slice i - 2*threads has
// been replayed, so at most 2*threads slices' observed tensors are held at a time.
template <typename RunSlice>
void RunObservedSlices(int64_t k, int threads, const ValueObserver& observer,
                       const RunSlice& run_slice) {
  using Record = std::vector<std::pair<const Value*, Tensor>>;
  std::vector<Record> records(static_cast<size_t>(k));
  std::vector<char> done(static_cast<size_t>(k), 0);
  int64_t replayed = 0;
  const int64_t window = 2 * static_cast<int64_t>(threads);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int64_t i = t; i < k; i += threads) {
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return i < replayed + window; });
        }
        Record& rec = records[static_cast<size_t>(i)];
        run_slice(
            i, [&rec](const Value& v, const Tensor& x) { rec.emplace_back(&v, x); },
            static_cast<size_t>(t));
        {
          std::lock_guard<std::mutex> lock(mu);
          done[static_cast<size_t>(i)] = 1;
        }
        cv.notify_all();
      }
    });
  for (int64_t i = 0; i < k; ++i) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done[static_cast<size_t>(i)] != 0; });
    }
    Record rec = std::move(records[static_cast<size_t>(i)]);
    for (const auto& [value, tensor] : rec) observer(*value, tensor);
    {
      std::lock_guard<std::mutex> lock(mu);
      replayed = i + 1;
    }
    cv.notify_all();
  }
  for (auto& th : pool) th.join();
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
    results[static_cast<size_t>(i)] = impl_->RunValidated(std::move(feed), obs, worker);
  };
  int threads = impl_->options.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<int64_t>(threads, k));
  if (threads == 1) {
    for (int64_t i = 0; i < k; ++i) run_slice(i, observer, 0);
  } else {
    while (impl_->kernels.size() < static_cast<size_t>(threads))
      TQ_RETURN_IF_ERROR(impl_->PrepareWorker());
    if (observer) {
      RunObservedSlices(k, threads, observer, run_slice);
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
          for (int64_t i = t; i < k; i += threads) run_slice(i, nullptr, static_cast<size_t>(t));
        });
      for (auto& th : pool) th.join();
    }
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
