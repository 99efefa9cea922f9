// int8 node kernels of Add and Mul (TFLite int8 rescaling, src/runtime/tq_elementwise.h) with
// numpy broadcasting up to 4-D. Elementwise ops do not care about layout, so the IR's NCHW
// shape is handed to the runtime as its 4-D (n, h, w, c) index space unchanged; a broadcast axis
// gets element stride 0. Add may carry a fused tq_act (the output clamp); Mul may not.
//
// Add multipliers (prepare, double): twice_max = 2 * max(s1, s2), left_shift = 20,
//   input_i multiplier = s_i / twice_max (<= 1/2), output multiplier = twice_max / (2^20 * s_out).
// Mul multiplier: s1 * s2 / s_out.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "src/exec/int8_common.h"
#include "src/runtime/tq_elementwise.h"

namespace tinyq {
namespace {

struct BroadcastPlan {
  tq_dims out{};
  tq_strides s1{}, s2{};
};

// Strides of `in` broadcast to the 4-D padded `out` shape (numpy rules); false if incompatible.
bool BroadcastStrides(const Shape& in, const Shape& out4, tq_strides* s) {
  if (in.size() > 4) return false;
  Shape in4(4 - in.size(), 1);
  in4.insert(in4.end(), in.begin(), in.end());
  int64_t st[4];
  int64_t run = 1;
  for (int d = 3; d >= 0; --d) {
    const auto i = static_cast<size_t>(d);
    if (in4[i] != out4[i] && in4[i] != 1) return false;
    st[d] = in4[i] == 1 ? 0 : run;
    run *= in4[i];
  }
  *s = {static_cast<int32_t>(st[0]), static_cast<int32_t>(st[1]), static_cast<int32_t>(st[2]),
        static_cast<int32_t>(st[3])};
  return true;
}

StatusOr<BroadcastPlan> PlanBroadcast(const Graph& graph, const Node& node) {
  const Value* a = node.input(0);
  const Value* b = node.input(1);
  const Value* y = node.output(0);
  if (!a || !b || !y) return InvalidModel(graph.Where(&node) + "needs two inputs and one output");
  const Shape& ys = y->shape();
  if (ys.size() > 4)
    return Unsupported(graph.Where(&node) + "int8 " + OpKindName(node.op()) +
                       " supports up to 4-D, got output " + ShapeToString(ys));
  Shape out4(4 - ys.size(), 1);
  out4.insert(out4.end(), ys.begin(), ys.end());
  BroadcastPlan p;
  if (!BroadcastStrides(a->shape(), out4, &p.s1) || !BroadcastStrides(b->shape(), out4, &p.s2))
    return InvalidModel(graph.Where(&node) + "inputs " + ShapeToString(a->shape()) + " and " +
                        ShapeToString(b->shape()) + " do not broadcast to output " +
                        ShapeToString(ys));
  // The output must be the broadcast of the inputs (not larger).
  for (size_t d = 0; d < 4; ++d) {
    const int64_t ra = static_cast<int64_t>(d) - (4 - static_cast<int64_t>(a->shape().size()));
    const int64_t rb = static_cast<int64_t>(d) - (4 - static_cast<int64_t>(b->shape().size()));
    const int64_t da = ra >= 0 ? a->shape()[static_cast<size_t>(ra)] : 1;
    const int64_t db = rb >= 0 ? b->shape()[static_cast<size_t>(rb)] : 1;
    if (std::max(da, db) != out4[d])
      return InvalidModel(graph.Where(&node) + "output shape " + ShapeToString(ys) +
                          " is not the broadcast of the inputs");
  }
  TQ_ASSIGN_OR_RETURN(p.out, ToDims(graph, node, out4[0], out4[1], out4[2], out4[3]));
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, ys));
  return p;
}

template <typename Params, auto kRun>
class BinaryS8Kernel : public KernelInstance {
 public:
  BinaryS8Kernel(Params p, BroadcastPlan b) : p_(p), b_(b) {}
  void Eval(KernelIO& io) override {
    kRun(&p_, &b_.out, io.inputs[0]->data<int8_t>(), &b_.s1, io.inputs[1]->data<int8_t>(), &b_.s2,
         io.outputs[0]->data<int8_t>());
  }

 private:
  Params p_;
  BroadcastPlan b_;
};

StatusOr<std::unique_ptr<KernelInstance>> PrepareAddS8(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(BroadcastPlan b, PlanBroadcast(graph, node));
  TQ_ASSIGN_OR_RETURN(ActQuant q1, GetActQuant(graph, node, node.input(0), "input A"));
  TQ_ASSIGN_OR_RETURN(ActQuant q2, GetActQuant(graph, node, node.input(1), "input B"));
  TQ_ASSIGN_OR_RETURN(ActQuant qy, GetActQuant(graph, node, node.output(0), "output C"));
  TQ_ASSIGN_OR_RETURN(tq_activation act, FusedActivationS8(graph, node, qy));
  constexpr int kLeftShift = 20;
  const double twice_max = 2.0 * std::max<double>(q1.scale, q2.scale);
  TQ_ASSIGN_OR_RETURN(ChannelMultipliers m1, MakeMultiplier(graph, node, q1.scale / twice_max));
  TQ_ASSIGN_OR_RETURN(ChannelMultipliers m2, MakeMultiplier(graph, node, q2.scale / twice_max));
  TQ_ASSIGN_OR_RETURN(
      ChannelMultipliers mo,
      MakeMultiplier(graph, node, twice_max / (static_cast<double>(1 << kLeftShift) * qy.scale)));
  tq_add_params p{};
  p.input1_offset = -q1.zero_point;
  p.input1_multiplier = m1.multiplier[0];
  p.input1_shift = m1.shift[0];
  p.input2_offset = -q2.zero_point;
  p.input2_multiplier = m2.multiplier[0];
  p.input2_shift = m2.shift[0];
  p.left_shift = kLeftShift;
  p.output_multiplier = mo.multiplier[0];
  p.output_shift = mo.shift[0];
  p.output_offset = qy.zero_point;
  p.activation = act;
  if (tq_add_s8_validate(&p, &b.out) != TQ_OK)
    return Unsupported(graph.Where(&node) + "scales give multipliers outside the runtime's range");
  return std::unique_ptr<KernelInstance>(
      std::make_unique<BinaryS8Kernel<tq_add_params, tq_add_s8>>(p, b));
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareMulS8(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(BroadcastPlan b, PlanBroadcast(graph, node));
  TQ_ASSIGN_OR_RETURN(ActQuant q1, GetActQuant(graph, node, node.input(0), "input A"));
  TQ_ASSIGN_OR_RETURN(ActQuant q2, GetActQuant(graph, node, node.input(1), "input B"));
  TQ_ASSIGN_OR_RETURN(ActQuant qy, GetActQuant(graph, node, node.output(0), "output C"));
  TQ_ASSIGN_OR_RETURN(tq_activation act, FusedActivationS8(graph, node, qy, false));
  TQ_ASSIGN_OR_RETURN(
      ChannelMultipliers mo,
      MakeMultiplier(graph, node, static_cast<double>(q1.scale) * q2.scale / qy.scale));
  tq_mul_params p{};
  p.input1_offset = -q1.zero_point;
  p.input2_offset = -q2.zero_point;
  p.output_multiplier = mo.multiplier[0];
  p.output_shift = mo.shift[0];
  p.output_offset = qy.zero_point;
  p.activation = act;
  if (tq_mul_s8_validate(&p, &b.out) != TQ_OK)
    return Unsupported(graph.Where(&node) + "scales give a multiplier outside the runtime's range");
  return std::unique_ptr<KernelInstance>(
      std::make_unique<BinaryS8Kernel<tq_mul_params, tq_mul_s8>>(p, b));
}

}  // namespace

void AppendInt8BinaryKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kAdd, ExecMode::kInt8, PrepareAddS8});
  table->push_back({OpKind::kMul, ExecMode::kInt8, PrepareMulS8});
}

}  // namespace tinyq
