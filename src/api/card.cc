// ReadModelCard: the zoo's card.json (see benchmarks/zoo/README.md for the schema).
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tinyq/api.h"

namespace tinyq {

StatusOr<ModelCard> ReadModelCard(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open model card");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgument(path + ": model card is not a JSON object");
  ModelCard c;
  try {
    c.name = j.value("name", "");
    c.task = j.value("task", "classification");
    c.dataset = j.value("dataset", "");
    c.split = j.value("split", "test");
    c.metric = j.value("metric", c.task == "anomaly" ? "auc" : "top1");
    c.float_metric = j.value("float_metric", 0.0);
    if (j.contains("input")) {
      const auto& in_j = j.at("input");
      c.input_name = in_j.value("name", "");
      if (in_j.contains("shape"))
        for (const auto& d : in_j.at("shape"))
          c.input_shape.push_back(d.is_number_integer() ? d.get<int64_t>() : -1);
    }
    if (j.contains("preprocess")) {
      const auto& p = j.at("preprocess");
      c.preprocess.scale = p.value("scale", 1.0f);
      c.preprocess.mean = p.value("mean", 0.0f);
      c.preprocess.std = p.value("std", 1.0f);
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(path + ": malformed model card: " + e.what());
  }
  if (c.metric != "top1" && c.metric != "auc")
    return InvalidArgument(path + ": metric must be \"top1\" or \"auc\", got \"" + c.metric + "\"");
  if (!(c.preprocess.std != 0.0f))
    return InvalidArgument(path + ": preprocess.std must be non-zero");
  return c;
}

}  // namespace tinyq
