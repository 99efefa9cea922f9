// fold_batch_norm: folds an inference BatchNormalization into the Conv, ConvTranspose or Gemm
// that feeds it.
//
//   Before:  X -> Conv(W, b) -> Z -> BatchNormalization(γ, β, μ, σ²) -> Y
//   After:   X -> Conv(W', b') -> Y
//
// Math, per output channel c (s_c = γ_c / √(σ²_c + ε)):
//   BN(z)_c = s_c·(z_c − μ_c) + β_c,   z_c = Σ W_c·x + b_c
//   ⇒ W'_c = W_c·s_c,   b'_c = (b_c − μ_c)·s_c + β_c     (b = 0 when the bias is absent)
// where "W_c" is the slice of the weight that produces output channel c:
//   Conv           W [Cout, Cin/g, k...]: slice W[c] along axis 0 (groups and depthwise alike).
//   ConvTranspose  W [Cin, Cout/g, k...]: output channel c = gi·(Cout/g) + j is written by
//                  W[ci, j] for every ci of group gi.
//   Gemm           Y = α·A·op(B) + β_g·C, output column c: B[:, c] (transB = 0) or B[c, :]
//                  (transB = 1); C (absent, [N], [1, N], [1] or []) becomes
//                  C'_c = (β_g·C_c − μ_c)·s_c + β_c with β_g' = 1.
// The scale and bias are computed in double and rounded once to f32. New constants are added
// (the originals may be shared with other nodes; eliminate_dead or this pass drops unused ones),
// and no arithmetic node is emitted.
//
// Applies only when Z has no reader other than the BN and is not a graph output (otherwise the
// unnormalized Z is still needed), the BN is in inference form (training outputs unused), all BN
// parameters, W and b are f32 constants of the expected shapes, σ² + ε > 0 everywhere, and the
// producer carries no fused activation (tq_act: BN after a clamp is not affine). Any
// other BatchNormalization is left alone: the float kernel runs it.
#include "passes/fold_batch_norm.h"

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "passes/graph_edit.h"

namespace tinyq {
namespace {

bool IsF32Constant(const Value* v) {
  return v && v->constant() && v->constant()->dtype() == DType::kF32;
}

// f32 constant with `n` elements (shape [n]); for BN parameters.
bool IsChannelVector(const Value* v, int64_t n) {
  return IsF32Constant(v) && v->shape() == Shape{n};
}

// Output channel count of the producer, or -1 if its weights do not allow a fold.
int64_t FoldableChannels(const Node& p) {
  const Value* w = p.input(1);
  if (!IsF32Constant(w) || !p.input(0) || !p.output(0)) return -1;
  if (p.HasAttr("tq_act")) return -1;  // BN(clamp(z)) is not affine in z
  const Shape& ws = w->shape();
  const int64_t groups = p.GetInt("group", 1);
  int64_t cout = -1;
  switch (p.op()) {
    case OpKind::kConv:
      if (ws.size() < 3) return -1;
      cout = ws[0];
      break;
    case OpKind::kConvTranspose:
      if (ws.size() < 3 || groups < 1 || ws[0] % groups != 0) return -1;
      cout = ws[1] * groups;
      break;
    case OpKind::kGemm:
      if (ws.size() != 2) return -1;
      cout = p.GetInt("transB", 0) != 0 ? ws[0] : ws[1];
      break;
    default:
      return -1;
  }
  const Value* b = p.input(2);
  if (b) {
    if (!IsF32Constant(b)) return -1;
    if (p.op() == OpKind::kGemm) {
      const Shape& cs = b->shape();
      const bool per_column = cs == Shape{cout} || cs == Shape{1, cout};
      const bool scalar = NumElements(cs) == 1 && cs.size() <= 2;
      if (!per_column && !scalar) return -1;
    } else if (b->shape() != Shape{cout}) {
      return -1;
    }
  }
  const Shape& zs = p.output(0)->shape();
  if (zs.size() < 2 || zs[1] != cout) return -1;
  return cout;
}

}  // namespace

bool FoldBatchNormPass::Match(const Graph& graph, const Node& node) const {
  if (node.op() != OpKind::kBatchNormalization || node.GetInt("training_mode", 0) != 0)
    return false;
  for (int i = 1; i < node.num_outputs(); ++i)
    if (node.output(i) && !IsUnused(graph, node.output(i))) return false;
  const Value* z = node.input(0);
  const Value* y = node.output(0);
  if (!z || !y || z->dtype() != DType::kF32 || !z->producer()) return false;
  if (y->dtype() != DType::kF32 || y->shape() != z->shape()) return false;
  if (SoleConsumer(graph, z) != &node) return false;
  const int64_t c = FoldableChannels(*z->producer());
  if (c < 0) return false;
  for (int i = 1; i <= 4; ++i)
    if (!IsChannelVector(node.input(i), c)) return false;
  const float eps = node.GetFloat("epsilon", 1e-5f);
  const float* var = node.input(4)->constant()->data<float>();
  for (int64_t i = 0; i < c; ++i)
    if (!(static_cast<double>(var[i]) + eps > 0.0)) return false;
  return true;
}

Status FoldBatchNormPass::Rewrite(Graph& graph, Node& bn, PassStats* stats) {
  Value* z = bn.input(0);
  Value* y = bn.output(0);
  Node* p = z->producer();
  const int64_t c = FoldableChannels(*p);
  const float* gamma = bn.input(1)->constant()->data<float>();
  const float* beta = bn.input(2)->constant()->data<float>();
  const float* mean = bn.input(3)->constant()->data<float>();
  const float* var = bn.input(4)->constant()->data<float>();
  const double eps = bn.GetFloat("epsilon", 1e-5f);
  std::vector<double> scale(static_cast<size_t>(c));
  for (int64_t i = 0; i < c; ++i)
    scale[i] = gamma[i] / std::sqrt(static_cast<double>(var[i]) + eps);

  // Weights: multiply each element by the scale of the output channel it contributes to.
  const Tensor& w = *p->input(1)->constant();
  const Shape& ws = w.shape();
  const float* wd = w.data<float>();
  std::vector<float> w2(static_cast<size_t>(w.numel()));
  const int64_t groups = p->GetInt("group", 1);
  for (int64_t e = 0; e < w.numel(); ++e) {
    int64_t ch = 0;
    if (p->op() == OpKind::kConv) {
      ch = e / (w.numel() / ws[0]);
    } else if (p->op() == OpKind::kConvTranspose) {
      const int64_t inner = w.numel() / (ws[0] * ws[1]);
      const int64_t ci = e / (ws[1] * inner);
      const int64_t j = (e / inner) % ws[1];
      ch = (ci / (ws[0] / groups)) * ws[1] + j;
    } else {  // Gemm
      ch = p->GetInt("transB", 0) != 0 ? e / ws[1] : e % ws[1];
    }
    w2[static_cast<size_t>(e)] = static_cast<float>(wd[e] * scale[static_cast<size_t>(ch)]);
  }

  // Bias: b'_c = (b_c − μ_c)·s_c + β_c (Gemm: b = β_g·C, broadcast to the column).
  const Value* bias = p->input(2);
  const float* bd = bias ? bias->constant()->data<float>() : nullptr;
  const bool scalar_bias = bias && bias->constant()->numel() == 1;
  const double bias_gain = p->op() == OpKind::kGemm ? p->GetFloat("beta", 1.0f) : 1.0;
  std::vector<float> b2(static_cast<size_t>(c));
  for (int64_t i = 0; i < c; ++i) {
    const double b = bd ? bias_gain * bd[scalar_bias ? 0 : i] : 0.0;
    b2[static_cast<size_t>(i)] = static_cast<float>((b - mean[i]) * scale[i] + beta[i]);
  }

  const std::string where = p->name().empty() ? std::string("folded") : p->name();
  Value* new_w = AddF32Constant(graph, where + "_w_bn", ws, w2);
  Value* new_b = AddF32Constant(graph, where + "_b_bn", {c}, b2);
  std::vector<Value*> old_params = {p->input(1), p->input(2)};
  for (int i = 1; i <= 4; ++i) old_params.push_back(bn.input(i));
  stats->notes.push_back(std::string(name()) + ": folded '" + bn.name() + "' into '" + p->name() +
                         "' (" + OpKindName(p->op()) + ")");

  graph.RemoveNode(&bn);
  graph.SetInput(p, 1, new_w);
  graph.SetInput(p, 2, new_b);
  if (p->op() == OpKind::kGemm) p->SetFloat("beta", 1.0f);
  RebindOutput(graph, p, z, y);
  graph.RemoveValue(z);
  for (Value* v : std::set<Value*>(old_params.begin(), old_params.end()))
    RemoveIfUnused(graph, v);  // a set: a parameter may appear twice
  return Status::Ok();
}

}  // namespace tinyq
