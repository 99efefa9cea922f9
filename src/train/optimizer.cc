// src/train/optimizer.cc - SGD with momentum and Adam (formulas in optimizer.h).
#include "src/train/optimizer.h"

#include <algorithm>
#include <cmath>

namespace tinyq::train {
namespace {

// Per-parameter state vectors, created on the first step.
class StatefulOptimizer : public Optimizer {
 protected:
  std::vector<float>& State(std::vector<std::vector<float>>& s, size_t i, size_t n) {
    if (s.size() <= i) s.resize(i + 1);
    if (s[i].size() != n) s[i].assign(n, 0.0f);
    return s[i];
  }
};

class Sgd : public StatefulOptimizer {
 public:
  Sgd(float momentum, float wd) : momentum_(momentum), wd_(wd) {}
  void Step(const std::vector<ParamSpan>& params, float lr) override {
    for (size_t i = 0; i < params.size(); ++i) {
      float* w = params[i].data;
      const float* g = params[i].grad;
      std::vector<float>& v = State(velocity_, i, params[i].size);
      for (size_t j = 0; j < params[i].size; ++j) {
        v[j] = momentum_ * v[j] + (g[j] + wd_ * w[j]);
        w[j] -= lr * v[j];
      }
    }
  }

 private:
  float momentum_, wd_;
  std::vector<std::vector<float>> velocity_;
};

class Adam : public StatefulOptimizer {
 public:
  explicit Adam(float wd) : wd_(wd) {}
  void Step(const std::vector<ParamSpan>& params, float lr) override {
    ++t_;
    const double c1 = 1.0 - std::pow(kBeta1, t_), c2 = 1.0 - std::pow(kBeta2, t_);
    for (size_t i = 0; i < params.size(); ++i) {
      float* w = params[i].data;
      const float* g = params[i].grad;
      std::vector<float>& m = State(m_, i, params[i].size);
      std::vector<float>& v = State(v_, i, params[i].size);
      for (size_t j = 0; j < params[i].size; ++j) {
        const float gj = g[j] + wd_ * w[j];
        m[j] = kBeta1 * m[j] + (1.0f - kBeta1) * gj;
        v[j] = kBeta2 * v[j] + (1.0f - kBeta2) * gj * gj;
        const double mh = m[j] / c1, vh = v[j] / c2;
        w[j] -= static_cast<float>(lr * mh / (std::sqrt(vh) + kEps));
      }
    }
  }

 private:
  static constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f;
  static constexpr double kEps = 1e-8;
  float wd_;
  int t_ = 0;
  std::vector<std::vector<float>> m_, v_;
};

}  // namespace

void Optimizer::Step(TrainProgram& program, float lr) {
  std::vector<ParamSpan> spans;
  for (const Param& p : program.params()) {
    FloatVec& w = program.ParamData(p);
    spans.push_back({w.data(), program.ParamGrad(p).data(), w.size()});
  }
  Step(spans, lr);
}

double ScheduledLearningRate(const std::string& schedule, double lr, int64_t step, int64_t total,
                             int64_t warmup) {
  if (step < warmup) return lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  if (schedule != "cosine") return lr;
  const double rest = static_cast<double>(std::max<int64_t>(1, total - warmup));
  return lr * 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(step - warmup) / rest));
}

StatusOr<std::unique_ptr<Optimizer>> MakeOptimizer(const std::string& name, float momentum,
                                                   float weight_decay) {
  if (momentum < 0.0f || weight_decay < 0.0f)
    return InvalidArgument("momentum and weight decay must be >= 0");
  if (name == "sgd") return std::unique_ptr<Optimizer>(new Sgd(momentum, weight_decay));
  if (name == "adam") return std::unique_ptr<Optimizer>(new Adam(weight_decay));
  return InvalidArgument("unknown optimizer '" + name + "' (sgd | adam)");
}

}  // namespace tinyq::train
