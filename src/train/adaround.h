// src/train/adaround.h - AdaRound: learned rounding of one layer's int8 weights (Nagel et al. 2020,
// "Up or Down? Adaptive Rounding for Post-Training Quantization").
//
// A layer computes, for each data row r and output channel c (in group g(c)),
//   out[r, c] = clamp(sum_k x[r, g(c) K + k] * w[c, k] + bias[c], lo, hi)
// (Conv: a row is one output position's input patch; Gemm: one sample). Rounding to nearest
// quantizes each weight independently; AdaRound instead picks, per weight, floor or floor + 1 so
// that the layer's OUTPUT on calibration data stays close to the float layer's:
//
//   w~[c, k] = s[c] * clamp(floor(w[c, k] / s[c]) + h(V[c, k]), -qmax, qmax)
//   h(V)     = clamp(sigmoid(V) (zeta - gamma) + gamma, 0, 1),  zeta = 1.1, gamma = -0.1
//   loss     = (1/B) sum_r sum_c (out~[r, c] - y[r, c])^2  +  lambda sum_{c,k} (1 - |2 h(V) -
//   1|^beta)
//
// where out~ uses w~ and x comes from the QUANTIZED model (its earlier layers already rounded), y
// is the float model's output of this layer. V starts where h(V) = frac(w / s) (the soft weights
// equal the float weights), is trained with Adam (src/train/optimizer.h) on mini-batches of B rows;
// the regularizer is off for the first `warmup` share of iterations, then beta anneals linearly
// from beta_start (20) to beta_end (2), pushing every h(V) to 0 or 1. The result rounds up where
// V >= 0 (h >= 0.5). Gradients (the layer is linear before the clamp):
//   dL/dw~[c, k]  = (2/B) sum_r e[r, c] [lo < pre[r, c] < hi] x[r, g(c) K + k]
//   dw~/dV        = s[c] h'(V) (0 where the clamp to +-qmax or h's clamp to [0, 1] is active)
//   dreg/dV       = -lambda beta |2h - 1|^(beta - 1) sign(2h - 1) 2 h'(V)
//   h'(V)         = (zeta - gamma) sigmoid(V) (1 - sigmoid(V))
// The loss normalisation (sum over channels, mean over rows) and lambda = 0.01 follow the
// reference implementations (BRECQ, AIMET). Deterministic: a fixed seed draws the mini-batches.
#ifndef TINYQ_SRC_TRAIN_ADAROUND_H_
#define TINYQ_SRC_TRAIN_ADAROUND_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "tinyq/status.h"

namespace tinyq::train {

// One layer's rounding problem. Output channels are split into `groups` equal groups; group g
// reads columns [g K, (g + 1) K) of a row of x.
struct AdaRoundProblem {
  int64_t channels = 0;        // C
  int64_t groups = 1;          // G, divides C
  int64_t k = 0;               // K weights per output channel
  std::vector<float> weights;  // [C, K] float weights
  std::vector<float> scales;   // [C] weight scale per output channel (> 0)
  std::vector<float> bias;     // [C] bias in float (empty: none)
  float lo =
      -std::numeric_limits<float>::infinity();  // output clamp (fused activation, int8 range)
  float hi = std::numeric_limits<float>::infinity();
  int qmax = 127;        // integer weights in [-qmax, qmax]
  int64_t rows = 0;      // R
  std::vector<float> x;  // [R, G K] layer input (from the quantized model)
  std::vector<float> y;  // [R, C] target: the float model's layer output
};

struct AdaRoundOptions {
  int iterations = 1000;
  int64_t batch = 256;  // rows per step
  float learning_rate = 1e-2f;
  float lambda = 0.01f;  // regularizer weight
  float beta_start = 20.0f;
  float beta_end = 2.0f;
  float warmup = 0.2f;  // share of iterations without the regularizer
  uint64_t seed = 1;
  std::function<void(int)> progress;  // iterations done (may be empty)
};

struct AdaRoundResult {
  std::vector<int8_t> weights;  // [C, K] integer weights in [-qmax, qmax]
  double error_nearest = 0.0;   // reconstruction loss (1/R) sum (out - y)^2 of round-to-nearest
  double error_adaround = 0.0;  // the same for `weights`
  int64_t changed = 0;          // weights rounded differently from nearest
  bool kept_nearest = false;    // AdaRound did not reduce the error: `weights` is round-to-nearest
};

// Learns the rounding of one layer. The result never has a higher reconstruction error on the
// problem's rows than round-to-nearest (which is returned, kept_nearest = true, if AdaRound does
// not improve on it). InvalidArgument for inconsistent sizes, non-positive scales or an empty
// problem.
StatusOr<AdaRoundResult> OptimizeRounding(const AdaRoundProblem& problem,
                                          const AdaRoundOptions& options);

// Round-to-nearest integer weights of `problem` (half away from zero, clamped to +-qmax), as
// quantize_int8 computes them, and the reconstruction loss of any integer weights.
std::vector<int8_t> RoundToNearest(const AdaRoundProblem& problem);
double ReconstructionError(const AdaRoundProblem& problem, const std::vector<int8_t>& weights);

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_ADAROUND_H_
