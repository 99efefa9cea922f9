// prune_magnitude: unstructured magnitude pruning (Han et al. 2015) and N:M semi-structured
// sparsity (e.g. 2:4, Mishra et al. 2021).
//
//   Before:  Conv W = [[0.9, -0.1,  0.4, 0.05], ...]
//   After:   Conv W = [[0.9,  0.0,  0.4, 0.0 ], ...]     (sparsity 0.5, or 2:4)
//
// Per layer: the floor(sparsity * n) weights of smallest |w| become exactly 0 (ties broken by
// position, so the result is deterministic). Global: the same count over the weights of all
// layers together, ranked by |w| alone, so layers with small weights lose more. N:M: within each
// run of M consecutive weights of an output channel (a shorter tail run keeps ceil(N*len/M)), the
// M - N smallest become 0. The graph's shapes do not change; the int8 executor stores such weights
// in the sparse format of src/runtime/tq_sparse.h when that is smaller (docs/pruning.md).
#include "passes/prune_magnitude.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <vector>

namespace tinyq {
namespace {

bool Prunable(const Node& n) {
  if (n.op() != OpKind::kConv && n.op() != OpKind::kGemm && n.op() != OpKind::kMatMul) return false;
  const Value* w = n.input(1);
  return w && w->constant() && w->constant()->dtype() == DType::kF32 && w->constant()->numel() > 1;
}

// Element indices of output channel `o` of the weight of `n`, in stored order.
std::vector<int64_t> ChannelIndices(const Node& n, const Tensor& w, int64_t o) {
  const bool by_column =
      (n.op() == OpKind::kGemm && n.GetInt("transB", 0) == 0) || n.op() == OpKind::kMatMul;
  std::vector<int64_t> idx;
  if (by_column && w.rank() >= 2) {
    const int64_t cols = w.dim(w.rank() - 1);
    for (int64_t e = o; e < w.numel(); e += cols) idx.push_back(e);
  } else {
    const int64_t per = w.numel() / w.dim(0);
    for (int64_t j = 0; j < per; ++j) idx.push_back(o * per + j);
  }
  return idx;
}

int64_t Channels(const Node& n, const Tensor& w) {
  const bool by_column =
      (n.op() == OpKind::kGemm && n.GetInt("transB", 0) == 0) || n.op() == OpKind::kMatMul;
  return by_column && w.rank() >= 2 ? w.dim(w.rank() - 1) : w.dim(0);
}

// Zeroes the `count` smallest |w| among `idx` of `w`.
void ZeroSmallest(float* w, std::vector<int64_t> idx, int64_t count) {
  if (count <= 0) return;
  std::stable_sort(idx.begin(), idx.end(),
                   [&](int64_t a, int64_t b) { return std::fabs(w[a]) < std::fabs(w[b]); });
  for (int64_t i = 0; i < count && i < static_cast<int64_t>(idx.size()); ++i) w[idx[i]] = 0.0f;
}

}  // namespace

Status PruneMagnitudePass::Run(Graph& graph, PassStats* stats) {
  const PruneMagnitudeOptions& o = options_;
  const bool nm = o.n > 0 || o.m > 0;
  if (nm && !(o.n > 0 && o.m > o.n && o.m <= 64))
    return InvalidArgument("N:M sparsity needs 0 < N < M <= 64, got " + std::to_string(o.n) + ":" +
                           std::to_string(o.m));
  if (!nm && !(o.sparsity >= 0.0 && o.sparsity < 1.0))
    return InvalidArgument("sparsity " + std::to_string(o.sparsity) + " not in [0, 1)");
  std::vector<Node*> layers;
  for (Node* n : graph.TopoOrder())
    if (Prunable(*n)) layers.push_back(n);
  // Each layer's weights become a new constant (the originals may be shared).
  std::vector<Tensor> weights;
  for (Node* n : layers) weights.push_back(*n->input(1)->constant());
  if (nm) {
    for (size_t l = 0; l < layers.size(); ++l) {
      Tensor& w = weights[l];
      for (int64_t c = 0; c < Channels(*layers[l], w); ++c) {
        const std::vector<int64_t> idx = ChannelIndices(*layers[l], w, c);
        for (size_t b = 0; b < idx.size(); b += static_cast<size_t>(o.m)) {
          const size_t len = std::min(idx.size() - b, static_cast<size_t>(o.m));
          const int64_t keep = (static_cast<int64_t>(len) * o.n + o.m - 1) / o.m;
          ZeroSmallest(
              w.data<float>(),
              {idx.begin() + static_cast<long>(b), idx.begin() + static_cast<long>(b + len)},
              static_cast<int64_t>(len) - keep);
        }
      }
    }
  } else if (o.global) {
    // Threshold = the k-th smallest |w| over all layers; ties at the threshold resolved in order.
    std::vector<std::pair<float, std::pair<size_t, int64_t>>> all;
    for (size_t l = 0; l < layers.size(); ++l)
      for (int64_t e = 0; e < weights[l].numel(); ++e)
        all.push_back({std::fabs(weights[l].data<float>()[e]), {l, e}});
    const auto k = static_cast<int64_t>(std::floor(o.sparsity * static_cast<double>(all.size())));
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (int64_t i = 0; i < k; ++i)
      weights[all[static_cast<size_t>(i)].second.first]
          .data<float>()[all[static_cast<size_t>(i)].second.second] = 0.0f;
  } else {
    for (Tensor& w : weights) {
      std::vector<int64_t> idx(static_cast<size_t>(w.numel()));
      std::iota(idx.begin(), idx.end(), 0);
      ZeroSmallest(w.data<float>(), idx,
                   static_cast<int64_t>(std::floor(o.sparsity * static_cast<double>(w.numel()))));
    }
  }
  for (size_t l = 0; l < layers.size(); ++l) {
    Node* n = layers[l];
    Value* old = n->input(1);
    const int64_t zeros =
        std::count(weights[l].data<float>(), weights[l].data<float>() + weights[l].numel(), 0.0f);
    Value* fresh =
        graph.AddConstant(graph.UniqueName(old->name() + "_sparse"), std::move(weights[l]));
    graph.SetInput(n, 1, fresh);
    if (old->uses().empty() && !old->producer()) graph.RemoveValue(old);
    std::ostringstream os;
    os << "prune_magnitude: '" << n->name() << "' " << zeros << "/" << fresh->constant()->numel()
       << " weights zero";
    stats->notes.push_back(os.str());
    ++stats->nodes_rewritten;
  }
  return Status::Ok();
}

double WeightSparsity(const Graph& graph) {
  int64_t zeros = 0, total = 0;
  for (const auto& n : graph.nodes()) {
    if (!Prunable(*n)) continue;
    const Tensor& w = *n->input(1)->constant();
    zeros += std::count(w.data<float>(), w.data<float>() + w.numel(), 0.0f);
    total += w.numel();
  }
  return total ? static_cast<double>(zeros) / static_cast<double>(total) : 0.0;
}

}  // namespace tinyq
