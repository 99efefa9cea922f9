// The quantize report: its JSON section (QuantizeReportJson wraps it in the "tinyq.report"
// envelope) and a terminal rendering.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tinyq/quantize.h"

namespace tinyq {
namespace {

nlohmann::json TensorJson(const TensorQuantInfo& t) {
  nlohmann::json j = {{"name", t.name}, {"dtype", t.dtype}, {"shape", t.shape}};
  if (t.dtype == "int8") {
    j["scale"] = t.scale;
    j["zero_point"] = t.zero_point;
  }
  return j;
}

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

}  // namespace

std::string QuantizeReportToJson(const QuantizeReport& r) {
  nlohmann::json j;
  j["method"] = r.method;
  j["calib_samples"] = r.calib_samples;
  j["inputs"] = nlohmann::json::array();
  for (const auto& t : r.inputs) j["inputs"].push_back(TensorJson(t));
  j["outputs"] = nlohmann::json::array();
  for (const auto& t : r.outputs) j["outputs"].push_back(TensorJson(t));
  j["int8_nodes"] = r.int8_nodes;
  j["float_nodes"] = r.float_nodes;
  j["layers"] = nlohmann::json::array();
  for (const LayerError& l : r.layers)
    j["layers"].push_back({{"tensor", l.tensor},
                           {"node", l.node},
                           {"op", l.op},
                           {"sqnr_db", l.sqnr_db},
                           {"cosine", l.cosine},
                           {"max_abs_error", l.max_abs_error}});
  j["fallbacks"] = nlohmann::json::array();
  for (const FallbackStep& f : r.fallbacks)
    j["fallbacks"].push_back({{"node", f.node},
                              {"op", f.op},
                              {"sqnr_db", f.sqnr_db},
                              {"extra_bytes", f.extra_bytes},
                              {"metric_after", f.metric_after}});
  j["adaround"] = nlohmann::json::array();
  for (const AdaRoundLayerReport& a : r.adaround)
    j["adaround"].push_back({{"node", a.node},
                             {"op", a.op},
                             {"rows", a.rows},
                             {"error_nearest", a.error_nearest},
                             {"error_adaround", a.error_adaround},
                             {"changed", a.changed},
                             {"weights", a.weights},
                             {"kept_nearest", a.kept_nearest}});
  if (r.adaround_guard) {
    const AdaRoundGuard& g = *r.adaround_guard;
    const auto opt = [](const std::optional<double>& v) {
      return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    j["adaround_guard"] = {{"data", g.data},
                           {"samples", g.samples},
                           {"metric", g.metric.empty() ? nlohmann::json(nullptr) : nlohmann::json(g.metric)},
                           {"metric_nearest", opt(g.metric_nearest)},
                           {"metric_adaround", opt(g.metric_adaround)},
                           {"fidelity_nearest", g.fidelity_nearest},
                           {"fidelity_adaround", g.fidelity_adaround},
                           {"agreement_nearest", opt(g.agreement_nearest)},
                           {"agreement_adaround", opt(g.agreement_adaround)},
                           {"kept", g.kept}};
  }
  j["search"] = nlohmann::json::array();
  for (const SearchCandidate& c : r.search)
    j["search"].push_back({{"config", c.config},
                           {"method", c.method},
                           {"bias_correction", c.bias_correction},
                           {"adaround", c.adaround},
                           {"adaround_kept", c.adaround_kept ? nlohmann::json(*c.adaround_kept)
                                                             : nlohmann::json(nullptr)},
                           {"val_metric", c.val_metric ? nlohmann::json(*c.val_metric) : nullptr},
                           {"val_fidelity", c.val_fidelity},
                           {"seconds", c.seconds},
                           {"chosen", c.chosen}});
  j["weight_bytes"] = {{"float", r.float_weight_bytes}, {"quantized", r.quantized_weight_bytes}};
  if (r.val_float) j["validation"] = {{"float", *r.val_float}, {"int8", *r.val_int8}};
  j["notes"] = r.notes;
  return j.dump(2);
}

std::string QuantizeReportToText(const QuantizeReport& r) {
  std::ostringstream os;
  os << "calibration: " << r.method << ", " << r.calib_samples << " samples\n";
  for (const auto& t : r.inputs)
    os << "input  " << t.name << " " << t.dtype << ShapeToString(t.shape)
       << (t.dtype == "int8"
               ? "  scale " + Fmt("%.6g", t.scale) + " zero_point " + std::to_string(t.zero_point)
               : "")
       << "\n";
  for (const auto& t : r.outputs)
    os << "output " << t.name << " " << t.dtype << ShapeToString(t.shape)
       << (t.dtype == "int8"
               ? "  scale " + Fmt("%.6g", t.scale) + " zero_point " + std::to_string(t.zero_point)
               : "")
       << "\n";
  os << "weights: " << r.float_weight_bytes << " -> " << r.quantized_weight_bytes << " bytes ("
     << Fmt("%.2f", r.float_weight_bytes ? static_cast<double>(r.quantized_weight_bytes) /
                                               static_cast<double>(r.float_weight_bytes)
                                         : 0.0)
     << "x), " << r.int8_nodes << " int8 nodes, " << r.float_nodes.size() << " float nodes\n";
  for (const std::string& f : r.float_nodes) os << "  " << f << "\n";
  if (!r.layers.empty()) {
    os << "\nper-layer error (int8 vs float, calibration data)\n";
    os << "  SQNR dB   cosine    max|err|  op                  tensor\n";
    for (const LayerError& l : r.layers) {
      char line[512];
      std::snprintf(line, sizeof(line), "  %7.2f  %8.5f  %9.4g  %-18s  %s\n", l.sqnr_db, l.cosine,
                    l.max_abs_error, l.op.c_str(), l.tensor.c_str());
      os << line;
    }
  }
  if (!r.adaround.empty()) {
    os << "\nAdaRound (reconstruction error on calibration rows: nearest -> learned)\n";
    for (const AdaRoundLayerReport& a : r.adaround) {
      char line[512];
      std::snprintf(line, sizeof(line), "  %-8s %-24s %10.4g -> %10.4g  %6lld/%lld changed%s\n",
                    a.op.c_str(), a.node.c_str(), a.error_nearest, a.error_adaround,
                    static_cast<long long>(a.changed), static_cast<long long>(a.weights),
                    a.kept_nearest ? " (kept nearest)" : "");
      os << line;
    }
  }
  if (r.adaround_guard) {
    const AdaRoundGuard& g = *r.adaround_guard;
    char line[768];
    const auto m = [&g](const std::optional<double>& v) {
      char buf[32] = "-";
      if (v) std::snprintf(buf, sizeof(buf), g.metric == "auc" ? "%.4f" : "%.2f", *v);
      return std::string(buf);
    };
    std::string agreement;
    if (g.metric == "top1" && g.agreement_nearest && g.agreement_adaround)
      agreement = ", agreement with float " + m(g.agreement_nearest) + " -> " +
                  m(g.agreement_adaround) + " %";
    std::snprintf(line, sizeof(line),
                  "AdaRound %s: on %lld samples of %s, %s %s -> %s%s, fidelity %.2f -> %.2f dB "
                  "(nearest -> learned)\n",
                  g.kept ? "kept" : "undone (no better than round-to-nearest)",
                  static_cast<long long>(g.samples), g.data.c_str(),
                  g.metric.empty() ? "metric" : g.metric.c_str(), m(g.metric_nearest).c_str(),
                  m(g.metric_adaround).c_str(), agreement.c_str(), g.fidelity_nearest,
                  g.fidelity_adaround);
    os << line;
  }
  if (!r.search.empty()) {
    os << "\nsearch (validation set; metric, then fidelity to float)\n";
    for (const SearchCandidate& c : r.search)
      os << (c.chosen ? "  * " : "    ") << c.config << ": metric "
         << (c.val_metric ? Fmt("%.4f", *c.val_metric) : std::string("-")) << ", fidelity "
         << Fmt("%.2f", c.val_fidelity) << ", " << Fmt("%.1f", c.seconds) << " s"
         << (c.adaround_kept && !*c.adaround_kept ? " (AdaRound undone by its check)" : "")
         << "\n";
  }
  if (r.val_float) {
    os << "\nvalidation: float " << Fmt("%.4f", *r.val_float) << ", int8 "
       << Fmt("%.4f", *r.val_int8) << "\n";
    for (const FallbackStep& f : r.fallbacks)
      os << "  fallback " << f.node << " (" << f.op << ", SQNR " << Fmt("%.1f", f.sqnr_db)
         << " dB): +" << f.extra_bytes << " bytes -> " << Fmt("%.4f", f.metric_after) << "\n";
  }
  for (const std::string& n : r.notes) os << "note: " << n << "\n";
  os << "time: " << Fmt("%.1f", r.seconds) << " s\n";
  return os.str();
}

}  // namespace tinyq
