// Dense vs tq_sparse bytes of the int8 weights of a float graph (the prune report's estimate of
// what the int8 executor and the generated C store).
#include <algorithm>
#include <cmath>

#include "src/api/prune_internal.h"
#include "src/runtime/tq_sparse.h"

namespace tinyq {

std::vector<SparseLayerBytes> SparseWeightBytes(const Graph& graph) {
  std::vector<SparseLayerBytes> out;
  for (const Node* n : graph.TopoOrder()) {
    if (n->op() != OpKind::kConv && n->op() != OpKind::kGemm && n->op() != OpKind::kMatMul)
      continue;
    const Value* wv = n->input(1);
    if (!wv || !wv->constant() || wv->constant()->dtype() != DType::kF32 ||
        wv->constant()->rank() < 2)
      continue;
    const Tensor& w = *wv->constant();
    // Rows = output channels: Conv W[o], Gemm transB=1 B[o]; else columns of B [K, N].
    const bool by_column =
        n->op() == OpKind::kMatMul || (n->op() == OpKind::kGemm && n->GetInt("transB", 0) == 0);
    const int64_t rows = by_column ? w.dim(w.rank() - 1) : w.dim(0);
    const int64_t cols = w.numel() / rows;
    std::vector<int8_t> q(static_cast<size_t>(w.numel()));
    for (int64_t r = 0; r < rows; ++r) {
      auto at = [&](int64_t j) { return by_column ? j * rows + r : r * cols + j; };
      float m = 0.0f;
      for (int64_t j = 0; j < cols; ++j) m = std::max(m, std::fabs(w.data<float>()[at(j)]));
      const float scale = m > 0 ? m / 127.0f : 1.0f;
      for (int64_t j = 0; j < cols; ++j)
        q[static_cast<size_t>(r * cols + j)] = static_cast<int8_t>(
            std::clamp(std::round(w.data<float>()[at(j)] / scale), -127.0f, 127.0f));
    }
    SparseLayerBytes s;
    s.node = n->name();
    s.dense_bytes = w.numel();
    s.sparse_bytes = static_cast<int64_t>(
        tq_sparse_encoded_size(q.data(), static_cast<int32_t>(rows), static_cast<int32_t>(cols)));
    const int64_t zeros = std::count(q.begin(), q.end(), int8_t{0});
    s.sparsity = static_cast<double>(zeros) / static_cast<double>(w.numel());
    out.push_back(s);
  }
  return out;
}

}  // namespace tinyq
