// Least-squares reconstruction after channel removal (He, Zhang & Sun 2017, "Channel Pruning for
// Accelerating Very Deep Neural Networks"; Luo et al. 2017, ThiNet).
//
// For a layer L (Conv group 1 or Gemm) whose input channels were removed, with
//   A = rows of L's im2col input from the PRUNED graph (one row per sampled output position,
//       columns = the kept input channels x kernel window, plus a 1 for the bias),
//   Y = L's output in the ORIGINAL graph at the same positions (kept output channels only),
// the new weights solve the ridge-regularized normal equations
//   (A^T A + lambda I) W = A^T Y,   lambda = ridge * trace(A^T A) / columns,
// so L reproduces the unpruned model's output as well as a linear map of what remains can. The
// pruned graph's own input is used (not the original's), so each layer also compensates the error
// of the layers re-fitted before it; layers are processed in graph order. A^T A and A^T Y are
// accumulated batch by batch (memory: columns^2 doubles), solved with Eigen's LDLT in double.
#include <Eigen/Dense>
#include <algorithm>
#include <random>

#include "src/ir/conv_geometry.h"
#include "tinyq/executor.h"
#include "tinyq/prune.h"

namespace tinyq {
namespace {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Layer {
  Node* node = nullptr;
  bool conv = false;
  ConvGeometry geo;                       // conv only
  int64_t cin = 0, cout = 0, kernel = 1;  // kernel = window size
  std::vector<bool> keep;                 // original output channels kept
  MatrixD ata, aty;
  double yy = 0.0;
  int64_t rows = 0;
};

// The output positions sampled for sample `s` of layer `l` (same in both graphs).
std::vector<int64_t> SamplePositions(int64_t out_size, int64_t count, int64_t s, size_t l) {
  std::vector<int64_t> pos;
  if (count <= 0 || count >= out_size) {
    for (int64_t p = 0; p < out_size; ++p) pos.push_back(p);
    return pos;
  }
  std::mt19937 rng(static_cast<uint32_t>(s * 7919 + static_cast<int64_t>(l) * 104729 + 1));
  std::uniform_int_distribution<int64_t> dist(0, out_size - 1);
  for (int64_t i = 0; i < count; ++i) pos.push_back(dist(rng));
  return pos;
}

// One im2col row of a 2-D conv input x [C, H, W] at output position p; last column = 1.
void Im2colRow(const Layer& L, const float* x, int64_t p, double* row) {
  const int64_t oh = p / L.geo.out[1], ow = p % L.geo.out[1];
  const int64_t kh = L.geo.kernel[0], kw = L.geo.kernel[1];
  const int64_t H = L.geo.in[0], W = L.geo.in[1];
  int64_t c = 0;
  for (int64_t ci = 0; ci < L.cin; ++ci)
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx, ++c) {
        const int64_t iy = oh * L.geo.strides[0] - L.geo.pad_begin[0] + ky * L.geo.dilations[0];
        const int64_t ix = ow * L.geo.strides[1] - L.geo.pad_begin[1] + kx * L.geo.dilations[1];
        row[c] = (iy < 0 || iy >= H || ix < 0 || ix >= W) ? 0.0 : x[(ci * H + iy) * W + ix];
      }
  row[c] = 1.0;
}

StatusOr<Layer> MakeLayer(const Graph& g, Node* n,
                          const std::map<std::string, std::vector<bool>>& keep,
                          int64_t original_cout) {
  Layer L;
  L.node = n;
  const Tensor& w = *n->input(1)->constant();
  if (n->op() == OpKind::kConv) {
    if (w.rank() != 4 || n->GetInt("group", 1) != 1)
      return Unsupported(g.Where(n) + "least-squares reconstruction needs a 2-D Conv with group 1");
    L.conv = true;
    TQ_ASSIGN_OR_RETURN(
        L.geo, ComputeConvGeometry(g, *n, n->input(0)->shape(), {w.dim(2), w.dim(3)}, false));
    L.cin = w.dim(1);
    L.cout = w.dim(0);
    L.kernel = w.dim(2) * w.dim(3);
  } else {
    if (n->GetFloat("alpha", 1.0f) != 1.0f || n->GetFloat("beta", 1.0f) != 1.0f ||
        n->GetInt("transA", 0) != 0)
      return Unsupported(g.Where(n) +
                         "least-squares reconstruction needs a Gemm with alpha = "
                         "beta = 1 and transA = 0");
    const bool tb = n->GetInt("transB", 0) != 0;
    L.cin = tb ? w.dim(1) : w.dim(0);
    L.cout = tb ? w.dim(0) : w.dim(1);
  }
  auto it = keep.find(n->name());
  L.keep =
      it != keep.end() ? it->second : std::vector<bool>(static_cast<size_t>(original_cout), true);
  if (static_cast<int64_t>(std::count(L.keep.begin(), L.keep.end(), true)) != L.cout)
    return Internal(g.Where(n) + "kept output channels do not match the pruned weights");
  const int64_t cols = L.cin * L.kernel + 1;
  L.ata = MatrixD::Zero(cols, cols);
  L.aty = MatrixD::Zero(cols, L.cout);
  return L;
}

// Current weights as the [cols, cout] solution matrix (bias in the last row).
MatrixD CurrentSolution(const Layer& L) {
  const Tensor& w = *L.node->input(1)->constant();
  const int64_t k = L.cin * L.kernel;
  MatrixD s = MatrixD::Zero(k + 1, L.cout);
  const bool gemm_nt = !L.conv && L.node->GetInt("transB", 0) == 0;
  for (int64_t o = 0; o < L.cout; ++o)
    for (int64_t j = 0; j < k; ++j) s(j, o) = w.data<float>()[gemm_nt ? j * L.cout + o : o * k + j];
  if (const Value* b = L.node->input(2))
    for (int64_t o = 0; o < L.cout; ++o)
      s(k, o) = b->constant()->data<float>()[b->constant()->numel() == 1 ? 0 : o];
  return s;
}

// ||Y - A S||^2 / ||Y||^2 from the accumulated moments.
double RelativeError(const Layer& L, const MatrixD& s) {
  if (L.yy <= 0) return 0.0;
  const double cross = (s.transpose() * L.aty).trace();
  const double quad = (s.transpose() * L.ata * s).trace();
  return std::max(0.0, (L.yy - 2 * cross + quad) / L.yy);
}

void WriteSolution(Graph& g, Layer& L, const MatrixD& s) {
  Node* n = L.node;
  Tensor w = *n->input(1)->constant();
  const int64_t k = L.cin * L.kernel;
  const bool gemm_nt = !L.conv && n->GetInt("transB", 0) == 0;
  for (int64_t o = 0; o < L.cout; ++o)
    for (int64_t j = 0; j < k; ++j)
      w.data<float>()[gemm_nt ? j * L.cout + o : o * k + j] = static_cast<float>(s(j, o));
  std::vector<float> bias(static_cast<size_t>(L.cout));
  for (int64_t o = 0; o < L.cout; ++o) bias[static_cast<size_t>(o)] = static_cast<float>(s(k, o));
  Value* old_w = n->input(1);
  Value* old_b = n->input(2);
  g.SetInput(n, 1, g.AddConstant(g.UniqueName(old_w->name() + "_lsq"), std::move(w)));
  Value* nb = g.AddConstant(g.UniqueName(n->name() + "_bias_lsq"),
                            Tensor::FromVector<float>({L.cout}, bias));
  if (old_b)
    g.SetInput(n, 2, nb);
  else
    g.AddInput(n, nb);
  for (Value* v : {old_w, old_b})
    if (v && v->uses().empty() && !v->producer()) g.RemoveValue(v);
}

}  // namespace

StatusOr<std::vector<ReconstructedLayer>> ReconstructLeastSquares(
    const Graph& original, Graph& pruned, const std::vector<std::string>& nodes,
    const std::map<std::string, std::vector<bool>>& out_keep, const Tensor& batch, double ridge,
    int64_t positions, int threads) {
  std::vector<ReconstructedLayer> report;
  if (nodes.empty()) return report;
  const Value* in = original.inputs().at(0);
  const int64_t n_samples = batch.dim(0);
  const int64_t graph_batch = std::max<int64_t>(1, in->shape()[0]);
  ExecutorOptions eo;
  eo.threads = threads;
  for (size_t l = 0; l < nodes.size(); ++l) {
    Node* node = pruned.FindNode(nodes[l]);
    const Node* orig = original.FindNode(nodes[l]);
    if (!node || !orig) return NotFound(pruned.Where() + "no node '" + nodes[l] + "'");
    TQ_ASSIGN_OR_RETURN(Layer L, MakeLayer(pruned, node, out_keep, orig->output(0)->shape()[1]));
    const std::string y_name = orig->output(0)->name();
    const std::string x_name = node->input(0)->name();
    TQ_ASSIGN_OR_RETURN(auto exec_o, Executor::Create(original, eo));
    TQ_ASSIGN_OR_RETURN(auto exec_p, Executor::Create(pruned, eo));
    const int64_t chunk = 32 * graph_batch;
    const int64_t cols = L.cin * L.kernel + 1;
    for (int64_t begin = 0; begin + graph_batch <= n_samples; begin += chunk) {
      const int64_t end = std::min(n_samples, begin + chunk) / graph_batch * graph_batch;
      Shape s = batch.shape();
      s[0] = end - begin;
      Tensor part(DType::kF32, s);
      const int64_t per = batch.numel() / n_samples;
      std::copy(batch.data<float>() + begin * per, batch.data<float>() + end * per,
                part.data<float>());
      TensorMap feeds;
      feeds.emplace(in->name(), std::move(part));
      // Observed slices arrive in order; one slice = graph_batch samples.
      std::vector<Tensor> xs, ys;
      auto grab = [](const std::string& name, std::vector<Tensor>* out) {
        return [name, out](const Value& v, const Tensor& t) {
          if (v.name() == name) out->push_back(t);
        };
      };
      TQ_RETURN_IF_ERROR(exec_o->RunBatch(feeds, grab(y_name, &ys)).status());
      TQ_RETURN_IF_ERROR(exec_p->RunBatch(feeds, grab(x_name, &xs)).status());
      if (xs.size() != ys.size()) return Internal("least squares: observed slices differ");
      std::vector<double> arow(static_cast<size_t>(cols));
      for (size_t sl = 0; sl < xs.size(); ++sl) {
        const int64_t x_per = xs[sl].numel() / graph_batch;
        const int64_t y_per = ys[sl].numel() / graph_batch;
        for (int64_t b = 0; b < graph_batch; ++b) {
          const int64_t sample = begin + static_cast<int64_t>(sl) * graph_batch + b;
          const float* x = xs[sl].data<float>() + b * x_per;
          const float* y = ys[sl].data<float>() + b * y_per;
          const int64_t out_size = L.conv ? L.geo.OutSize() : 1;
          const std::vector<int64_t> pos =
              SamplePositions(out_size, L.conv ? positions : 0, sample, l);
          MatrixD A(static_cast<Eigen::Index>(pos.size()), cols);
          MatrixD Y(static_cast<Eigen::Index>(pos.size()), L.cout);
          for (size_t r = 0; r < pos.size(); ++r) {
            if (L.conv) {
              Im2colRow(L, x, pos[r], arow.data());
            } else {
              for (int64_t j = 0; j < L.cin; ++j) arow[static_cast<size_t>(j)] = x[j];
              arow[static_cast<size_t>(L.cin)] = 1.0;
            }
            for (int64_t j = 0; j < cols; ++j)
              A(static_cast<Eigen::Index>(r), j) = arow[static_cast<size_t>(j)];
            int64_t o2 = 0;
            for (size_t o = 0; o < L.keep.size(); ++o) {
              if (!L.keep[o]) continue;
              Y(static_cast<Eigen::Index>(r), o2++) =
                  y[static_cast<int64_t>(o) * out_size + pos[r]];
            }
          }
          L.ata.noalias() += A.transpose() * A;
          L.aty.noalias() += A.transpose() * Y;
          L.yy += Y.squaredNorm();
          L.rows += static_cast<int64_t>(pos.size());
        }
      }
    }
    ReconstructedLayer r;
    r.node = nodes[l];
    r.rows = L.rows;
    r.error_before = RelativeError(L, CurrentSolution(L));
    const double lambda = ridge * std::max(L.ata.trace(), 1e-12) / static_cast<double>(cols);
    MatrixD reg = L.ata;
    reg.diagonal().array() += lambda;
    const MatrixD sol = reg.ldlt().solve(L.aty);
    if (!sol.allFinite())
      return Internal(pruned.Where(node) + "least-squares solution is not finite");
    r.error_after = RelativeError(L, sol);
    if (r.error_after < r.error_before)
      WriteSolution(pruned, L, sol);
    else
      r.error_after = r.error_before;  // keep the weights when the fit does not help
    report.push_back(r);
  }
  return report;
}

}  // namespace tinyq
