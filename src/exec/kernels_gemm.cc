// Float kernels of Gemm (alpha, beta, transA, transB, broadcast C) and MatMul (numpy semantics:
// 1-D operands, broadcast batch dims). Both end in MatMulF32 (Eigen GEMM).
#include <memory>
#include <string>
#include <vector>

#include "src/exec/fused_activation.h"
#include "src/exec/gemm_f32.h"
#include "src/exec/kernels_nn.h"
#include "src/ir/shape_inference.h"

namespace tinyq {
namespace {

class GemmKernel : public KernelInstance {
 public:
  void Eval(KernelIO& io) override {
    const float* a = io.inputs[0]->data<float>();
    const float* b = io.inputs[1]->data<float>();
    float* out = io.outputs[0]->data<float>();
    const Tensor* c = io.inputs.size() > 2 ? io.inputs[2] : nullptr;
    const bool add_c = c != nullptr && beta != 0.0f;
    if (add_c) {
      const float* cd = c->data<float>();
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) out[i * n + j] = beta * cd[i * c_row + j * c_col];
    }
    MatMulF32(a, b, out, m, k, n, trans_a, trans_b, alpha, /*accumulate=*/add_c);
  }

  int64_t m = 0, k = 0, n = 0;
  bool trans_a = false, trans_b = false;
  float alpha = 1.0f, beta = 1.0f;
  int64_t c_row = 0, c_col = 0;  // strides of C broadcast to [M, N] (0 along broadcast dims)
};

StatusOr<std::unique_ptr<KernelInstance>> PrepareGemm(const Graph& graph, const Node& node) {
  const Value* a = node.input(0);
  const Value* b = node.input(1);
  if (!a || !b || a->shape().size() != 2 || b->shape().size() != 2)
    return InvalidModel(graph.Where(&node) + "A and B must be present and 2-D");
  auto kernel = std::make_unique<GemmKernel>();
  kernel->trans_a = node.GetInt("transA", 0) != 0;
  kernel->trans_b = node.GetInt("transB", 0) != 0;
  kernel->alpha = node.GetFloat("alpha", 1.0f);
  kernel->beta = node.GetFloat("beta", 1.0f);
  kernel->m = a->shape()[kernel->trans_a ? 1 : 0];
  kernel->k = a->shape()[kernel->trans_a ? 0 : 1];
  kernel->n = b->shape()[kernel->trans_b ? 0 : 1];
  if (b->shape()[kernel->trans_b ? 1 : 0] != kernel->k)
    return InvalidModel(graph.Where(&node) + "inner dimensions of A " + ShapeToString(a->shape()) +
                        " and B " + ShapeToString(b->shape()) + " differ");
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 2, 3, {kernel->m, kernel->n}));
  if (const Value* c = node.input(2)) {
    const Shape& cs = c->shape();
    const int64_t rows = cs.size() == 2 ? cs[0] : 1;
    const int64_t cols = cs.empty() ? 1 : cs.back();
    if (cs.size() > 2 || (rows != 1 && rows != kernel->m) || (cols != 1 && cols != kernel->n))
      return InvalidModel(graph.Where(&node) + "C " + ShapeToString(cs) +
                          " does not broadcast to [M, N]");
    kernel->c_row = rows == 1 ? 0 : cols;
    kernel->c_col = cols == 1 ? 0 : 1;
  }
  return std::unique_ptr<KernelInstance>(std::move(kernel));
}

class MatMulKernel : public KernelInstance {
 public:
  void Eval(KernelIO& io) override {
    const float* a = io.inputs[0]->data<float>();
    const float* b = io.inputs[1]->data<float>();
    float* out = io.outputs[0]->data<float>();
    for (size_t i = 0; i < a_offsets.size(); ++i)
      MatMulF32(a + a_offsets[i], b + b_offsets[i], out + static_cast<int64_t>(i) * m * n, m, k, n);
  }

  int64_t m = 0, k = 0, n = 0;
  std::vector<int64_t> a_offsets, b_offsets;  // per output matrix
};

// Row-major strides of `shape` (matrix dims included) with 0 for broadcast batch dims, aligned to
// the output batch rank.
std::vector<int64_t> BatchStrides(const Shape& shape, size_t out_batch_rank) {
  const size_t batch_rank = shape.size() - 2;
  std::vector<int64_t> strides(out_batch_rank, 0);
  int64_t s = shape[shape.size() - 1] * shape[shape.size() - 2];
  for (size_t i = batch_rank; i-- > 0;) {
    const size_t o = out_batch_rank - batch_rank + i;
    strides[o] = shape[i] == 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareMatMul(const Graph& graph, const Node& node) {
  const Value* a = node.input(0);
  const Value* b = node.input(1);
  if (!a || !b || a->shape().empty() || b->shape().empty())
    return InvalidModel(graph.Where(&node) + "A and B must be present with rank >= 1");
  Shape as = a->shape(), bs = b->shape();
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  if (as.back() != bs[bs.size() - 2])
    return InvalidModel(graph.Where(&node) + "inner dimensions differ: " +
                        ShapeToString(a->shape()) + " x " + ShapeToString(b->shape()));
  TQ_ASSIGN_OR_RETURN(
      Shape batch, BroadcastShapes(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2),
                                   graph.Where(&node)));
  auto kernel = std::make_unique<MatMulKernel>();
  kernel->m = as[as.size() - 2];
  kernel->k = as.back();
  kernel->n = bs.back();
  Shape out = batch;
  if (!a_vec) out.push_back(kernel->m);
  if (!b_vec) out.push_back(kernel->n);
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 2, 2, out));
  const int64_t batches = NumElements(batch);
  const int64_t b_batches = NumElements(Shape(bs.begin(), bs.end() - 2));
  if (b_batches == 1) {
    // B is one matrix: all of A's batches stack into one [batches * M, K] GEMM (A broadcast
    // against nothing, so its batches are exactly the output's).
    kernel->m *= batches;
    kernel->a_offsets = {0};
    kernel->b_offsets = {0};
    return std::unique_ptr<KernelInstance>(std::move(kernel));
  }
  const std::vector<int64_t> sa = BatchStrides(as, batch.size());
  const std::vector<int64_t> sb = BatchStrides(bs, batch.size());
  std::vector<int64_t> idx(batch.size(), 0);
  for (int64_t i = 0; i < batches; ++i) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < batch.size(); ++d) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    kernel->a_offsets.push_back(oa);
    kernel->b_offsets.push_back(ob);
    for (size_t d = batch.size(); d-- > 0;) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return std::unique_ptr<KernelInstance>(std::move(kernel));
}

}  // namespace

void AppendGemmKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kGemm, ExecMode::kFloat, PrepareWithFusedActivation<PrepareGemm>});
  table->push_back({OpKind::kMatMul, ExecMode::kFloat, PrepareWithFusedActivation<PrepareMatMul>});
}

}  // namespace tinyq
