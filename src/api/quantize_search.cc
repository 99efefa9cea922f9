// Configuration search (`tinyq quantize --search --val VAL.npz`): the quantize pipeline runs once
// per candidate configuration, each result is scored on a validation set held out from the
// TRAINING data, and the best one is kept. Greedy, in three stages (each stage starts from the best
// configuration so far):
//   1. calibration method: minmax, percentile, entropy, mse, auto
//   2. + bias correction
//   3. + AdaRound, with bias correction as chosen in 2 and with it toggled
// Score: the card's metric on the validation set (top-1 %, or AUC when the set has both normal and
// anomalous samples; normal-only data leaves it undefined) and fidelity to the float model on the
// same samples: the SQNR in dB of the int8 model's outputs against the float model's,
// 10 log10(sum f^2 / sum (f - q)^2). A candidate replaces the best so far when its top-1 is
// better by a significant margin (McNemar's test at 95 % on the samples the two classify
// differently: a few validation samples decide nothing), or when the top-1 difference is not
// significant and its fidelity is higher (AUC: a higher AUC, or an equal one and a higher
// fidelity); otherwise the earlier, simpler candidate stays.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "src/api/quantize_internal.h"

namespace tinyq {
namespace {

struct Score {
  std::optional<double> metric;
  double fidelity = 0.0;
  std::vector<bool> correct;  // top1: per validation sample
};

// z of a two-sided 95 % test.
constexpr double kZ95 = 1.96;

// Whether `a` beats `b`. Top-1: by the metric only when the difference is significant in
// McNemar's test on the samples the two classify differently (|n_ab - n_ba| > 1.96
// sqrt(n_ab + n_ba), n_ab = samples a gets right and b wrong), else by fidelity. AUC: by the
// metric, then fidelity; no metric (one-class data): by fidelity.
bool Better(const Score& a, const Score& b) {
  if (!a.correct.empty() && a.correct.size() == b.correct.size()) {
    int64_t ab = 0, ba = 0;
    for (size_t i = 0; i < a.correct.size(); ++i) {
      ab += a.correct[i] && !b.correct[i];
      ba += !a.correct[i] && b.correct[i];
    }
    if (std::abs(ab - ba) > kZ95 * std::sqrt(static_cast<double>(ab + ba))) return ab > ba;
    return a.fidelity > b.fidelity;
  }
  if (a.metric && b.metric && *a.metric != *b.metric) return *a.metric > *b.metric;
  return a.fidelity > b.fidelity;
}

// A model's outputs on the validation set (dequantized to float) and its per-sample anomaly scores
// (mean squared reconstruction error against the preprocessed input; auc only).
struct ValOutputs {
  std::vector<float> out;
  std::vector<double> scores;
};

StatusOr<ValOutputs> RunOnVal(const Graph& graph, const QuantizeOptions& o) {
  const Dataset& val = *o.val;
  TQ_ASSIGN_OR_RETURN(RunnableGraph runnable, PrepareRunnable(graph, false));
  ExecutorOptions xo;
  xo.threads = o.threads;
  xo.int8 = runnable.int8;
  TQ_ASSIGN_OR_RETURN(auto exec, Executor::Create(*runnable.graph, xo));
  const Value* in = graph.inputs()[0];
  const Value* outv = graph.outputs()[0];
  const int64_t b = std::max<int64_t>(1, in->shape()[0]);
  const int64_t n = val.x.dim(0) - val.x.dim(0) % b;
  ValOutputs r;
  for (int64_t begin = 0; begin < n; begin += 256 * b) {
    const int64_t end = std::min(n, begin + 256 * b);
    TQ_ASSIGN_OR_RETURN(Tensor x,
                        PrepareInputBatch(graph, val.x, begin, end, o.preprocess, o.val_path));
    TensorMap feeds;
    TQ_ASSIGN_OR_RETURN(Tensor fed, QuantizeForInput(*in, x));
    feeds.emplace(in->name(), std::move(fed));
    TQ_ASSIGN_OR_RETURN(TensorMap outs, exec->RunBatch(feeds));
    TQ_ASSIGN_OR_RETURN(Tensor y, DequantizeOutput(*outv, outs.at(outv->name())));
    r.out.insert(r.out.end(), y.data<float>(), y.data<float>() + y.numel());
    if (o.metric != "auc") continue;
    const int64_t per = x.numel() / (end - begin);
    if (y.numel() != x.numel())
      return InvalidModel(graph.Where() + "auc needs a reconstruction output of the input's size");
    for (int64_t i = 0; i < end - begin; ++i) {
      double mse = 0.0;
      for (int64_t k = 0; k < per; ++k) {
        const double d =
            static_cast<double>(y.data<float>()[i * per + k]) - x.data<float>()[i * per + k];
        mse += d * d;
      }
      r.scores.push_back(mse / static_cast<double>(per));
    }
  }
  return r;
}

// The metric (top-1 %, or AUC when the labels hold both classes) of `got`, and its output SQNR
// against the float model's outputs `ref`. Labels were checked by the float model's Evaluate.
Score ScoreOf(const ValOutputs& got, const ValOutputs& ref, const QuantizeOptions& o) {
  const int64_t* y = o.val->y.data<int64_t>();
  Score s;
  if (o.metric == "auc") {
    const std::vector<int64_t> labels(y, y + got.scores.size());
    const auto ones = std::count(labels.begin(), labels.end(), 1);
    if (ones > 0 && ones < static_cast<int64_t>(labels.size()))
      s.metric = RocAuc(got.scores, labels);
  } else {
    const int64_t n = std::min(o.val->y.numel(), o.val->x.dim(0));
    const int64_t per = static_cast<int64_t>(got.out.size()) / std::max<int64_t>(1, n);
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float* row = got.out.data() + i * per;
      s.correct.push_back(std::max_element(row, row + per) - row == y[i]);
      correct += s.correct.back();
    }
    s.metric = 100.0 * static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(1, n));
  }
  double sig = 0.0, err = 0.0;
  for (size_t i = 0; i < got.out.size(); ++i) {
    const double f = ref.out[i], d = f - got.out[i];
    sig += f * f;
    err += d * d;
  }
  s.fidelity = err == 0.0 ? 999.0 : 10.0 * std::log10(sig / err);
  return s;
}

std::string ConfigName(const QuantizeOptions& c) {
  return std::string(CalibrationMethodName(c.method)) +
         (c.bias_correction ? "+bias_correction" : "") + (c.adaround ? "+adaround" : "");
}

}  // namespace

StatusOr<QuantizeResult> QuantizeSearch(const Graph& model, const Dataset& calib,
                                        const std::string& calib_path, const QuantizeOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!o.val) return InvalidArgument("--search needs a validation set (--val)");
  if (o.max_drop >= 0.0) return InvalidArgument("--search and --max-drop cannot be combined");
  if (o.table) return InvalidArgument("--search calibrates each candidate; drop --calib-table");
  if (o.bias_correction || o.adaround)
    return InvalidArgument(
        "--search chooses bias correction and AdaRound itself; drop "
        "--bias-correction / --adaround");
  if (!o.val->has_labels)
    return InvalidArgument(o.val_path + ": --search needs labels (an .npz with x and y)");
  // The float model's metric and outputs: the reference of every candidate.
  TQ_ASSIGN_OR_RETURN(EvalResult ref_eval,
                      Evaluate(model, *o.val, o.val_path, ValEvalOptions(o, false)));
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Graph> fg, OptimizeForInference(model));
  TQ_ASSIGN_OR_RETURN(ValOutputs ref, RunOnVal(*fg, o));

  constexpr int kCandidates = 8;
  std::vector<SearchCandidate> tried;
  std::optional<QuantizeResult> best;
  Score best_score;
  QuantizeOptions best_config = o;
  auto attempt = [&](QuantizeOptions c) -> Status {
    c.search = false;
    c.progress = [&](const std::string& stage, int64_t d, int64_t t) {
      if (stage == "adaround" && o.progress) o.progress(stage, d, t);
    };
    const auto c0 = std::chrono::steady_clock::now();
    TQ_ASSIGN_OR_RETURN(QuantizeResult r, Quantize(model, calib, calib_path, c));
    TQ_ASSIGN_OR_RETURN(ValOutputs got, RunOnVal(*r.graph, c));
    const Score s = ScoreOf(got, ref, c);
    SearchCandidate row;
    row.config = ConfigName(c);
    row.method = CalibrationMethodName(c.method);
    row.bias_correction = c.bias_correction;
    row.adaround = c.adaround;
    row.val_metric = s.metric;
    row.val_fidelity = s.fidelity;
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
    tried.push_back(row);
    if (!best || Better(s, best_score)) {
      best = std::move(r);
      best_score = s;
      best_config = c;
    }
    if (o.progress) o.progress("search", static_cast<int64_t>(tried.size()), kCandidates);
    return Status::Ok();
  };
  for (CalibrationMethod m :
       {CalibrationMethod::kMinMax, CalibrationMethod::kPercentile, CalibrationMethod::kEntropy,
        CalibrationMethod::kMse, CalibrationMethod::kAuto}) {
    QuantizeOptions c = o;
    c.method = m;
    c.bias_correction = false;
    c.adaround = false;
    TQ_RETURN_IF_ERROR(attempt(c));
  }
  QuantizeOptions c = best_config;
  c.bias_correction = true;
  TQ_RETURN_IF_ERROR(attempt(c));
  c = best_config;
  c.adaround = true;
  const QuantizeOptions with_adaround = c;
  TQ_RETURN_IF_ERROR(attempt(with_adaround));
  c = with_adaround;
  c.bias_correction = !c.bias_correction;
  TQ_RETURN_IF_ERROR(attempt(c));

  QuantizeResult result = std::move(*best);
  for (SearchCandidate& row : tried) row.chosen = row.config == ConfigName(best_config);
  QuantizeReport& rep = result.report;
  rep.search = std::move(tried);
  if (best_score.metric) {
    rep.val_float = ref_eval.value;
    rep.val_int8 = *best_score.metric;
  }
  rep.notes.push_back("search: chose " + ConfigName(best_config) + " on " +
                      std::to_string(ref_eval.samples) + " validation samples (" + o.val_path +
                      ")");
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace tinyq
