// src/train/tape.cc - compiling a Graph into TrainOps, and the forward/backward walks.
#include "src/train/tape.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace tinyq::train {

std::vector<int> DifferentiableInputs(OpKind op) {
  switch (op) {
    case OpKind::kConv:
    case OpKind::kGemm:
      return {0, 1, 2};
    case OpKind::kMatMul:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
      return {0, 1};
    case OpKind::kBatchNormalization:
      return {0, 1, 2};  // X, scale, B (mean and var stay fixed: the folded, inference form)
    default:
      return {0};  // the data input of unary/shape ops; Concat handles all its inputs itself
  }
}

StatusOr<std::unique_ptr<TrainOp>> MakeTrainOp(const OpBuild& b) {
  switch (b.node.op()) {
    case OpKind::kConv:
      return MakeConvOp(b);
    case OpKind::kGemm:
    case OpKind::kMatMul:
      return MakeDenseOp(b);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
      return MakeBinaryOp(b);
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kClip:
      return MakeActivationOp(b);
    case OpKind::kBatchNormalization:
      return MakeBatchNormOp(b);
    case OpKind::kSoftmax:
      return MakeSoftmaxOp(b);
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool:
      return MakePoolOp(b);
    case OpKind::kFlatten:
    case OpKind::kReshape:
    case OpKind::kIdentity:
    case OpKind::kDropout:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
      return MakeCopyOp(b);
    case OpKind::kConcat:
      return MakeConcatOp(b);
    default:
      return Unsupported(b.graph.Where(&b.node) + "the trainer has no gradient for " +
                         OpKindName(b.node.op()));
  }
}

StatusOr<std::unique_ptr<TrainProgram>> TrainProgram::Create(const Graph& graph) {
  std::unique_ptr<TrainProgram> p(new TrainProgram());
  TrainState& st = p->state_;
  const Value* input = nullptr;
  for (const Value* v : graph.inputs()) {
    if (v->is_constant()) continue;
    if (input != nullptr)
      return Unsupported(graph.Where() + "training needs a graph with one input, found '" +
                         input->name() + "' and '" + v->name() + "'");
    input = v;
  }
  if (input == nullptr || input->dtype() != DType::kF32 || input->shape().empty())
    return Unsupported(graph.Where() + "training needs one float32 graph input of rank >= 1");
  const int64_t batch0 = input->shape()[0];
  std::map<const Value*, int> slot_of;
  auto slot_for = [&](const Value* v) -> StatusOr<int> {
    if (v == nullptr || v->dtype() != DType::kF32) return -1;
    auto it = slot_of.find(v);
    if (it != slot_of.end()) return it->second;
    Slot s;
    s.value = v;
    if (v->is_constant()) {
      s.shape = v->shape();
      s.numel = NumElements(s.shape);
      const float* d = v->constant()->data<float>();
      s.data.assign(d, d + s.numel);
    } else {
      if (v->shape().empty() || v->shape()[0] != batch0)
        return Unsupported(graph.Where(v->producer()) + "value '" + v->name() + "' " +
                           ShapeToString(v->shape()) +
                           " does not keep the batch dimension first; the trainer cannot batch it");
      s.batched = true;
      s.shape.assign(v->shape().begin() + 1, v->shape().end());
      s.numel = NumElements(s.shape) * batch0;
      s.shape.insert(s.shape.begin(), batch0);  // per-sample shape keeps a leading 1
    }
    st.slots.push_back(std::move(s));
    const int idx = static_cast<int>(st.slots.size()) - 1;
    slot_of[v] = idx;
    return idx;
  };
  TQ_ASSIGN_OR_RETURN(p->input_, slot_for(input));
  for (const Node* n : graph.TopoOrder()) {
    if (n->op() == OpKind::kConstant) continue;
    std::vector<int> in, out;
    for (const Value* v : n->inputs()) {
      TQ_ASSIGN_OR_RETURN(int s, slot_for(v));
      in.push_back(s);
    }
    for (const Value* v : n->outputs()) {
      if (v == nullptr || v->uses().empty()) {
        bool is_graph_output = false;
        for (const Value* o : graph.outputs()) is_graph_output |= (o == v);
        if (v == nullptr || (!is_graph_output && v != n->output(0))) {
          out.push_back(-1);  // unused extra outputs (Dropout's mask)
          continue;
        }
      }
      TQ_ASSIGN_OR_RETURN(int s, slot_for(v));
      out.push_back(s);
    }
    std::vector<int> diff = DifferentiableInputs(n->op());
    if (n->op() == OpKind::kConcat) {
      diff.clear();
      for (int i = 0; i < n->num_inputs(); ++i) diff.push_back(i);
    }
    bool needs = false;
    for (int i : diff) {
      if (i >= static_cast<int>(in.size()) || in[static_cast<size_t>(i)] < 0) continue;
      Slot& s = st.slots[static_cast<size_t>(in[static_cast<size_t>(i)])];
      if (!s.batched && !s.param) {
        s.param = true;
        s.needs_grad = true;
        s.grad.assign(s.data.size(), 0.0f);
        p->params_.push_back({s.value->name(), in[static_cast<size_t>(i)]});
      }
      needs |= s.needs_grad;
    }
    if (n->op() == OpKind::kBatchNormalization)
      for (size_t i = 3; i < 5 && i < in.size(); ++i) {
        if (in[i] < 0) continue;
        Slot& s = st.slots[static_cast<size_t>(in[i])];
        if (s.batched || s.param || s.buffer) continue;
        s.buffer = true;
        p->buffers_.push_back({s.value->name(), in[i]});
      }
    for (int o : out) {
      if (o < 0) continue;
      if (!st.slots[static_cast<size_t>(o)].batched)
        return Unsupported(graph.Where(n) + "output is not a batched activation");
      st.slots[static_cast<size_t>(o)].needs_grad = needs;
    }
    OpBuild b{graph, *n, in, out, st};
    TQ_ASSIGN_OR_RETURN(auto op, MakeTrainOp(b));
    p->ops_.push_back(std::move(op));
    p->op_out0_.push_back(out.empty() ? -1 : out[0]);
  }
  for (const Value* v : graph.outputs()) {
    auto it = slot_of.find(v);
    if (it == slot_of.end() || !st.slots[static_cast<size_t>(it->second)].batched)
      return Unsupported(graph.Where() + "output '" + v->name() +
                         "' is not a float activation the trainer computes");
    p->outputs_.push_back(it->second);
  }
  for (size_t i = 0; i < st.slots.size(); ++i) {
    if (!st.slots[i].batched) continue;
    p->batched_slots_.push_back(static_cast<int>(i));
    if (st.slots[i].needs_grad) p->grad_slots_.push_back(static_cast<int>(i));
  }
  // Per-sample sizes: a batched slot's numel counted batch0 samples; normalize to one sample.
  for (int i : p->batched_slots_) {
    Slot& s = st.slots[static_cast<size_t>(i)];
    s.numel /= std::max<int64_t>(batch0, 1);
    s.shape[0] = 1;
  }
  return p;
}

void TrainProgram::Resize(int64_t batch) {
  if (batch == state_.batch) return;
  state_.batch = batch;
  for (int i : batched_slots_) {
    Slot& s = state_.slots[static_cast<size_t>(i)];
    s.data.assign(static_cast<size_t>(s.numel * batch), 0.0f);
    if (s.needs_grad) s.grad.assign(s.data.size(), 0.0f);
  }
}

void TrainProgram::Forward(const float* x, int64_t batch) {
  Resize(batch);
  Slot& in = state_.slots[static_cast<size_t>(input_)];
  std::memcpy(in.data.data(), x, in.data.size() * sizeof(float));
  for (auto& op : ops_) op->Forward(state_);
  if (state_.bn_mode == BnMode::kEstimate) ++state_.bn_estimate_batches;
}

void TrainProgram::Backward(const float* dy, const std::vector<GradSeed>& seeds) {
  for (int i : grad_slots_) {
    auto& g = state_.slots[static_cast<size_t>(i)].grad;
    std::fill(g.begin(), g.end(), 0.0f);
  }
  Slot& out = state_.slots[static_cast<size_t>(outputs_[0])];
  if (dy != nullptr && out.needs_grad)
    std::memcpy(out.grad.data(), dy, out.grad.size() * sizeof(float));
  for (const GradSeed& seed : seeds) {
    Slot& s = state_.slots[static_cast<size_t>(seed.slot)];
    if (!s.needs_grad || !s.batched) continue;
    for (size_t i = 0; i < s.grad.size(); ++i) s.grad[i] += seed.grad[i];
  }
  for (size_t i = ops_.size(); i-- > 0;)
    if (state_.needs_grad(op_out0_[i])) ops_[i]->Backward(state_);
}

void TrainProgram::ZeroParamGrads() {
  for (const Param& p : params_) {
    auto& g = state_.slots[static_cast<size_t>(p.slot)].grad;
    std::fill(g.begin(), g.end(), 0.0f);
  }
}

int64_t TrainProgram::NumParamElements() const {
  int64_t n = 0;
  for (const Param& p : params_) n += state_.slot(p.slot).numel;
  return n;
}

int TrainProgram::FindSlot(const std::string& name) const {
  for (size_t i = 0; i < state_.slots.size(); ++i)
    if (state_.slots[i].value != nullptr && state_.slots[i].value->name() == name)
      return static_cast<int>(i);
  return -1;
}

std::vector<FloatVec> TrainProgram::SaveState() const {
  std::vector<FloatVec> saved;
  for (const std::vector<Param>* list : {&params_, &buffers_})
    for (const Param& p : *list) saved.push_back(state_.slot(p.slot).data);
  return saved;
}

void TrainProgram::RestoreState(const std::vector<FloatVec>& saved) {
  size_t i = 0;
  for (const std::vector<Param>* list : {&params_, &buffers_})
    for (const Param& p : *list) state_.slots[static_cast<size_t>(p.slot)].data = saved.at(i++);
}

Status TrainProgram::WriteBack(Graph* graph) const {
  std::vector<Param> all = params_;
  all.insert(all.end(), buffers_.begin(), buffers_.end());
  for (const Param& p : all) {
    Value* v = graph->FindValue(p.name);
    const Slot& s = state_.slot(p.slot);
    if (v == nullptr || !v->is_constant() || v->constant()->numel() != s.numel ||
        v->dtype() != DType::kF32)
      return Internal(graph->Where() + "trained parameter '" + p.name +
                      "' has no matching constant");
    std::memcpy(v->mutable_constant()->data<float>(), s.data.data(), s.data.size() * sizeof(float));
  }
  return Status::Ok();
}

}  // namespace tinyq::train
