// The prune report: its JSON section (PruneReportJson wraps it in the "tinyq.report" envelope)
// and a terminal rendering.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tinyq/prune.h"

namespace tinyq {
namespace {

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

double Fraction(int64_t after, int64_t before) {
  return before ? 1.0 - static_cast<double>(after) / static_cast<double>(before) : 0.0;
}

}  // namespace

std::string PruneReportToJson(const PruneReport& r) {
  nlohmann::json j;
  j["criterion"] = r.criterion;
  j["recover"] = r.recover;
  j["channel_ratio"] = r.channel_ratio;
  j["macs"] = {{"before", r.macs_before},
               {"after", r.macs_after},
               {"removed_fraction", Fraction(r.macs_after, r.macs_before)}};
  j["params"] = {{"before", r.params_before},
                 {"after", r.params_after},
                 {"removed_fraction", Fraction(r.params_after, r.params_before)}};
  j["onnx_bytes"] = {{"before", r.onnx_bytes_before}, {"after", r.onnx_bytes_after}};
  j["groups"] = nlohmann::json::array();
  for (const PrunedGroup& g : r.groups) {
    nlohmann::json e = {{"name", g.name},
                        {"producers", g.producers},
                        {"channels_before", g.channels_before},
                        {"channels_after", g.channels_after}};
    if (!g.frozen_reason.empty()) e["frozen"] = g.frozen_reason;
    j["groups"].push_back(e);
  }
  j["reconstructed"] = nlohmann::json::array();
  for (const ReconstructedLayer& l : r.reconstructed)
    j["reconstructed"].push_back({{"node", l.node},
                                  {"rows", l.rows},
                                  {"error_before", l.error_before},
                                  {"error_after", l.error_after}});
  if (!r.scan.empty()) {
    j["scan"] = {{"ratios", r.scan_ratios}, {"groups", nlohmann::json::array()}};
    for (const ScanRow& s : r.scan)
      j["scan"]["groups"].push_back(
          {{"group", s.group}, {"channels", s.channels}, {"metric", s.metric}});
  }
  j["weight_sparsity"] = r.weight_sparsity;
  j["int8_weight_bytes"] = {{"dense", r.int8_dense_bytes},
                            {"sparse", r.int8_sparse_bytes},
                            {"layers", nlohmann::json::array()}};
  for (const SparseLayerBytes& s : r.sparse)
    j["int8_weight_bytes"]["layers"].push_back({{"node", s.node},
                                                {"sparsity", s.sparsity},
                                                {"dense", s.dense_bytes},
                                                {"sparse", s.sparse_bytes}});
  if (r.distill) j["distill"] = nlohmann::json::parse(r.distill->ToJson());
  if (r.val_before) {
    j["validation"] = {{"metric", r.metric}, {"before", *r.val_before}};
    if (r.val_after) j["validation"]["after"] = *r.val_after;
  }
  j["notes"] = r.notes;
  return j.dump(2);
}

std::string PruneReportToText(const PruneReport& r) {
  std::ostringstream os;
  os << "MACs   " << r.macs_before << " -> " << r.macs_after << " (-"
     << Fmt("%.1f", 100 * Fraction(r.macs_after, r.macs_before)) << "%)\n";
  os << "params " << r.params_before << " -> " << r.params_after << " (-"
     << Fmt("%.1f", 100 * Fraction(r.params_after, r.params_before)) << "%)\n";
  os << "ONNX   " << r.onnx_bytes_before << " -> " << r.onnx_bytes_after << " bytes\n";
  if (!r.groups.empty()) {
    os << "\nchannel groups (criterion " << r.criterion << ", recover " << r.recover << ")\n";
    for (const PrunedGroup& g : r.groups) {
      os << "  " << g.channels_before << " -> " << g.channels_after << "  " << g.name;
      if (g.producers.size() > 1) os << " (+" << g.producers.size() - 1 << " tied)";
      if (!g.frozen_reason.empty()) os << "  [kept: " << g.frozen_reason << "]";
      os << "\n";
    }
  }
  if (!r.reconstructed.empty()) {
    os << "\nleast-squares reconstruction (relative output error: before -> after)\n";
    for (const ReconstructedLayer& l : r.reconstructed)
      os << "  " << Fmt("%.5f", l.error_before) << " -> " << Fmt("%.5f", l.error_after) << "  "
         << l.node << " (" << l.rows << " rows)\n";
  }
  if (!r.scan.empty()) {
    os << "\nsensitivity scan (" << r.metric << " after removing a ratio of one group)\n  ";
    for (double x : r.scan_ratios) os << Fmt("%8.2f", x);
    os << "  group\n";
    for (const ScanRow& s : r.scan) {
      os << "  ";
      for (double m : s.metric) os << Fmt("%8.2f", m);
      os << "  " << s.group << " (" << s.channels << ")\n";
    }
  }
  if (r.distill && !r.distill->epochs.empty()) {
    os << "\ndistillation from the unpruned model: " << r.distill->epochs.size()
       << " epochs, train loss " << Fmt("%.4f", r.distill->epochs.front().train_loss) << " -> "
       << Fmt("%.4f", r.distill->epochs.back().train_loss) << ", "
       << Fmt("%.0f", r.distill->samples_per_second) << " samples/s\n";
    os << r.distill->TeacherText();
  }
  if (r.weight_sparsity > 0)
    os << "\nweight sparsity " << Fmt("%.3f", r.weight_sparsity) << "; int8 weights "
       << r.int8_dense_bytes << " dense -> " << r.int8_sparse_bytes << " bytes with tq_sparse\n";
  if (r.val_before)
    os << "validation " << r.metric << ": " << Fmt("%.2f", *r.val_before) << " -> "
       << Fmt("%.2f", r.val_after.value_or(0.0)) << "\n";
  for (const std::string& n : r.notes) os << "note: " << n << "\n";
  os << "time: " << Fmt("%.1f", r.seconds) << " s\n";
  return os.str();
}

}  // namespace tinyq
