// AdaRound: learned rounding of one layer's weights (math and gradients in adaround.h).
#include "src/train/adaround.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <random>

#include "src/quant/quant_math.h"
#include "src/train/optimizer.h"

namespace tinyq::train {
namespace {

using MatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMapF = Eigen::Map<const MatrixF>;

constexpr float kZeta = 1.1f;
constexpr float kGamma = -0.1f;
constexpr int64_t kEvalRows = 4096;  // rows per chunk when measuring the error on all rows

Status Validate(const AdaRoundProblem& p) {
  const auto size = [](const auto& v) { return static_cast<int64_t>(v.size()); };
  if (p.channels <= 0 || p.k <= 0 || p.rows <= 0 || p.groups <= 0 || p.channels % p.groups != 0)
    return InvalidArgument("adaround: empty or inconsistent layer (channels " +
                           std::to_string(p.channels) + ", groups " + std::to_string(p.groups) +
                           ", k " + std::to_string(p.k) + ", rows " + std::to_string(p.rows) + ")");
  if (size(p.weights) != p.channels * p.k || size(p.scales) != p.channels ||
      (!p.bias.empty() && size(p.bias) != p.channels) || size(p.x) != p.rows * p.groups * p.k ||
      size(p.y) != p.rows * p.channels)
    return InvalidArgument("adaround: weights, scales, bias, x or y have the wrong size");
  if (p.qmax < 1 || p.qmax > 127) return InvalidArgument("adaround: qmax must be in [1, 127]");
  for (float s : p.scales)
    if (!(s > 0.0f) || !std::isfinite(s)) return InvalidArgument("adaround: scale must be > 0");
  return Status::Ok();
}

// The layer's clamped output for `rows` rows of x (row-major [rows, G K]) and weights w [C, K].
MatrixF Forward(const AdaRoundProblem& p, const float* x, int64_t rows, const MatrixF& w,
                MatrixF* pre_out = nullptr) {
  const int64_t cg = p.channels / p.groups;
  MatrixF pre(rows, p.channels);
  const ConstMapF xm(x, rows, p.groups * p.k);
  for (int64_t g = 0; g < p.groups; ++g)
    pre.middleCols(g * cg, cg).noalias() =
        xm.middleCols(g * p.k, p.k) * w.middleRows(g * cg, cg).transpose();
  if (!p.bias.empty())
    pre.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(p.bias.data(), p.channels);
  MatrixF out = pre.cwiseMax(p.lo).cwiseMin(p.hi);
  if (pre_out) *pre_out = std::move(pre);
  return out;
}

MatrixF Dequantized(const AdaRoundProblem& p, const std::vector<int8_t>& q) {
  MatrixF w(p.channels, p.k);
  for (int64_t c = 0; c < p.channels; ++c)
    for (int64_t j = 0; j < p.k; ++j)
      w(c, j) = p.scales[static_cast<size_t>(c)] *
                static_cast<float>(q[static_cast<size_t>(c * p.k + j)]);
  return w;
}

// The rounding variables and their map to soft weights.
struct SoftRounding {
  const AdaRoundProblem& p;
  std::vector<float> floor_q;  // floor(w / s)
  std::vector<float> v;        // V
  std::vector<float> dsoft;    // d w~ / dV of the last Soft() call
  std::vector<float> h;        // h(V) of the last Soft() call
  std::vector<float> dh;       // h'(V)

  explicit SoftRounding(const AdaRoundProblem& prob) : p(prob) {
    const size_t n = p.weights.size();
    floor_q.resize(n);
    v.resize(n);
    dsoft.resize(n);
    h.resize(n);
    dh.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const float q = p.weights[i] / p.scales[i / static_cast<size_t>(p.k)];
      floor_q[i] = std::floor(q);
      const float rest = q - floor_q[i];  // in [0, 1): h(V) = rest
      v[i] = -std::log((kZeta - kGamma) / (rest - kGamma) - 1.0f);
    }
  }

  MatrixF Soft() {
    MatrixF w(p.channels, p.k);
    const float qmax = static_cast<float>(p.qmax);
    for (size_t i = 0; i < v.size(); ++i) {
      const float sig = 1.0f / (1.0f + std::exp(-v[i]));
      const float raw = sig * (kZeta - kGamma) + kGamma;
      h[i] = std::min(1.0f, std::max(0.0f, raw));
      dh[i] = (raw > 0.0f && raw < 1.0f) ? (kZeta - kGamma) * sig * (1.0f - sig) : 0.0f;
      const float q = floor_q[i] + h[i];
      const float s = p.scales[i / static_cast<size_t>(p.k)];
      const bool clamped = q < -qmax || q > qmax;
      w.data()[i] = s * std::min(qmax, std::max(-qmax, q));
      dsoft[i] = clamped ? 0.0f : s * dh[i];
    }
    return w;
  }

  std::vector<int8_t> Hard() const {
    std::vector<int8_t> q(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      const float r = floor_q[i] + (v[i] >= 0.0f ? 1.0f : 0.0f);
      q[i] = static_cast<int8_t>(std::min<float>(p.qmax, std::max<float>(-p.qmax, r)));
    }
    return q;
  }
};

}  // namespace

std::vector<int8_t> RoundToNearest(const AdaRoundProblem& p) {
  std::vector<int8_t> q(p.weights.size());
  for (size_t i = 0; i < q.size(); ++i)
    q[i] = static_cast<int8_t>(quant::RoundAndSaturate(
        p.weights[i] / p.scales[i / static_cast<size_t>(p.k)], -p.qmax, p.qmax));
  return q;
}

double ReconstructionError(const AdaRoundProblem& p, const std::vector<int8_t>& weights) {
  const MatrixF w = Dequantized(p, weights);
  double sum = 0.0;
  for (int64_t r0 = 0; r0 < p.rows; r0 += kEvalRows) {
    const int64_t n = std::min(kEvalRows, p.rows - r0);
    const MatrixF out = Forward(p, p.x.data() + r0 * p.groups * p.k, n, w);
    const ConstMapF y(p.y.data() + r0 * p.channels, n, p.channels);
    sum += static_cast<double>((out - y).squaredNorm());
  }
  return sum / static_cast<double>(p.rows);
}

StatusOr<AdaRoundResult> OptimizeRounding(const AdaRoundProblem& p, const AdaRoundOptions& o) {
  TQ_RETURN_IF_ERROR(Validate(p));
  if (o.iterations < 1 || o.batch < 1 || !(o.learning_rate > 0.0f) || o.lambda < 0.0f ||
      o.warmup < 0.0f || o.warmup >= 1.0f)
    return InvalidArgument(
        "adaround: iterations and batch must be >= 1, learning rate > 0, "
        "lambda >= 0, warmup in [0, 1)");
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Optimizer> adam, MakeOptimizer("adam", 0.0f, 0.0f));
  SoftRounding sr(p);
  std::vector<float> grad(sr.v.size());
  const std::vector<ParamSpan> params = {{sr.v.data(), grad.data(), grad.size()}};
  const int64_t cols = p.groups * p.k, batch = std::min(o.batch, p.rows);
  MatrixF xb(batch, cols), yb(batch, p.channels), pre;
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<int64_t> pick(0, p.rows - 1);
  const int cg = static_cast<int>(p.channels / p.groups);
  const int warm = static_cast<int>(o.warmup * static_cast<float>(o.iterations));
  for (int it = 0; it < o.iterations; ++it) {
    for (int64_t r = 0; r < batch; ++r) {
      const int64_t src = pick(rng);
      std::copy_n(p.x.data() + src * cols, cols, xb.row(r).data());
      std::copy_n(p.y.data() + src * p.channels, p.channels, yb.row(r).data());
    }
    const MatrixF w = sr.Soft();
    const MatrixF out = Forward(p, xb.data(), batch, w, &pre);
    // e masked by the clamp's derivative, scaled by d/d(out) of the mean-over-rows loss.
    const MatrixF e =
        ((out - yb).array() * (pre.array() > p.lo && pre.array() < p.hi).cast<float>()).matrix() *
        (2.0f / static_cast<float>(batch));
    MatrixF gw(p.channels, p.k);
    for (int64_t g = 0; g < p.groups; ++g)
      gw.middleRows(g * cg, cg).noalias() =
          e.middleCols(g * cg, cg).transpose() * xb.middleCols(g * p.k, p.k);
    const bool regularize = it >= warm;
    const float progress =
        static_cast<float>(it - warm) / static_cast<float>(std::max(1, o.iterations - warm));
    const float beta = o.beta_end + (o.beta_start - o.beta_end) * (1.0f - progress);
    for (size_t i = 0; i < grad.size(); ++i) {
      grad[i] = gw.data()[i] * sr.dsoft[i];
      if (regularize && sr.dh[i] != 0.0f) {
        const float d = 2.0f * sr.h[i] - 1.0f;
        const float mag = std::pow(std::fabs(d), beta - 1.0f);
        grad[i] -=
            o.lambda * beta * mag * (d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : 0.0f)) * 2.0f * sr.dh[i];
      }
    }
    adam->Step(params, o.learning_rate);
    if (o.progress) o.progress(it + 1);
  }
  AdaRoundResult res;
  const std::vector<int8_t> nearest = RoundToNearest(p);
  res.weights = sr.Hard();
  res.error_nearest = ReconstructionError(p, nearest);
  res.error_adaround = ReconstructionError(p, res.weights);
  if (!(res.error_adaround < res.error_nearest)) {
    res.weights = nearest;
    res.error_adaround = res.error_nearest;
    res.kept_nearest = true;
  }
  for (size_t i = 0; i < nearest.size(); ++i) res.changed += res.weights[i] != nearest[i];
  return res;
}

}  // namespace tinyq::train
