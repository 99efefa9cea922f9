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
#include <chrono>

#include "src/api/quantize_internal.h"

namespace tinyq {
namespace {

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
  if (o.adaround_iters < 1)  // the AdaRound candidates use it
    return InvalidArgument("--adaround-iters must be >= 1, got " +
                           std::to_string(o.adaround_iters));
  if (!o.val->has_labels)
    return InvalidArgument(o.val_path + ": --search needs labels (an .npz with x and y)");
  // The float model's outputs, the reference of every candidate; its metric comes from them (one
  // float pass over the validation set).
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Graph> fg, OptimizeForInference(model));
  TQ_ASSIGN_OR_RETURN(ModelOutputs ref, RunForScore(*fg, *o.val, o.val_path, o, 0));
  const ModelScore float_score = ScoreAgainst(ref, ref, o.val, o.metric);

  constexpr int kCandidates = 8;
  std::vector<SearchCandidate> tried;
  std::optional<QuantizeResult> best;
  ModelScore best_score;
  QuantizeOptions best_config = o;
  auto attempt = [&](QuantizeOptions c) -> Status {
    c.search = false;
    c.progress = [&](const std::string& stage, int64_t d, int64_t t) {
      if (stage == "adaround" && o.progress) o.progress(stage, d, t);
    };
    const auto c0 = std::chrono::steady_clock::now();
    // The AdaRound guard runs candidates on the validation set too: it takes the float outputs
    // from here and, when its choice is the final model, hands back that model's outputs.
    std::optional<ModelOutputs> got;
    TQ_ASSIGN_OR_RETURN(QuantizeResult r, QuantizeOnce(model, calib, calib_path, c,
                                                       c.equalize ? nullptr : &ref, &got));
    if (!got) {
      TQ_ASSIGN_OR_RETURN(got, RunForScore(*r.graph, *o.val, o.val_path, c, 0));
    }
    const ModelScore s = ScoreAgainst(*got, ref, o.val, c.metric);
    SearchCandidate row;
    row.config = ConfigName(c);
    row.method = CalibrationMethodName(c.method);
    row.bias_correction = c.bias_correction;
    row.adaround = c.adaround;
    if (r.report.adaround_guard) row.adaround_kept = r.report.adaround_guard->kept;
    row.val_metric = s.metric;
    row.val_fidelity = s.fidelity;
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
    tried.push_back(row);
    if (!best || SignificantlyBetter(s, best_score)) {
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
  if (best_score.metric && float_score.metric) {
    rep.val_float = *float_score.metric;
    rep.val_int8 = *best_score.metric;
  }
  rep.notes.push_back("search: chose " + ConfigName(best_config) + " on " +
                      std::to_string(ref.samples) + " validation samples (" + o.val_path + ")");
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace tinyq
