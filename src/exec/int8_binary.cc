// int8 node kernels of Add and Mul (TFLite int8 rescaling, src/runtime/tq_elementwise.h) with
// numpy broadcasting up to 4-D (PlanBroadcast, int8_common.h: the IR's NCHW shape as the
// runtime's 4-D (n, h, w, c) index space, element stride 0 along a broadcast axis). Add may carry
// a fused tq_act (the output clamp); Mul may not. The multipliers come from int8_params.h (shared
// with the C code generator).
#include <memory>
#include <string>
#include <vector>

#include "src/exec/int8_common.h"
#include "src/exec/int8_params.h"
#include "src/runtime/tq_elementwise.h"

namespace tinyq {
namespace {

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

StatusOr<BroadcastPlan> PlanS8Broadcast(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(BroadcastPlan b, PlanBroadcast(graph, node));
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, node.output(0)->shape()));
  return b;
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareAddS8(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(BroadcastPlan b, PlanS8Broadcast(graph, node));
  TQ_ASSIGN_OR_RETURN(tq_add_params p, MakeAddParamsS8(graph, node));
  return std::unique_ptr<KernelInstance>(
      std::make_unique<BinaryS8Kernel<tq_add_params, tq_add_s8>>(p, b));
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareMulS8(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(BroadcastPlan b, PlanS8Broadcast(graph, node));
  TQ_ASSIGN_OR_RETURN(tq_mul_params p, MakeMulParamsS8(graph, node));
  return std::unique_ptr<KernelInstance>(
      std::make_unique<BinaryS8Kernel<tq_mul_params, tq_mul_s8>>(p, b));
}

}  // namespace

void AppendInt8BinaryKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kAdd, ExecMode::kInt8, PrepareAddS8});
  table->push_back({OpKind::kMul, ExecMode::kInt8, PrepareMulS8});
}

}  // namespace tinyq
