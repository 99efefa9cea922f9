// RunBudget: the argument handling shared by `tinyq budget` and `tinyq.budget(...)`.
#include <filesystem>

#include "src/target/toolchain.h"
#include "tinyq/export.h"
#include "tinyq/target.h"

namespace tinyq {

ModelFootprint FootprintOf(const ExportResult& r) {
  ModelFootprint m;
  for (const LayerFootprint& l : r.layers) {
    m.layers.push_back({l.node, l.op, l.macs, l.weight_bytes, l.activation_bytes});
    m.total_macs += l.macs;
  }
  m.lower_bound_bytes = r.lower_bound_bytes;
  m.exported_weight_bytes = r.weight_bytes;
  return m;
}

StatusOr<BoardProfile> ResolveBoard(const std::string& target) {
  if (target.size() > 5 && target.compare(target.size() - 5, 5, ".json") == 0)
    return LoadBoardProfile(target);
  return FindBoard(target);
}

StatusOr<BudgetReport> RunBudget(const BudgetRequest& req) {
  if (req.target.empty() == req.profile.empty()) {
    return InvalidArgument("pass exactly one of --target BOARD or --profile P.json");
  }
  BoardProfile board;
  if (!req.target.empty()) {
    TQ_ASSIGN_OR_RETURN(board, FindBoard(req.target));
  } else {
    TQ_ASSIGN_OR_RETURN(board, LoadBoardProfile(req.profile));
  }
  BudgetOptions o;
  if (!req.flash.empty()) {
    TQ_ASSIGN_OR_RETURN(o.flash_override, ParseByteSize(req.flash, "--flash"));
  }
  if (!req.ram.empty()) {
    TQ_ASSIGN_OR_RETURN(o.ram_override, ParseByteSize(req.ram, "--ram"));
  }
  if (!req.rate.empty()) {
    TQ_ASSIGN_OR_RETURN(o.rate_per_s, ParseRate(req.rate));
  }
  if (!req.battery.empty()) {
    TQ_ASSIGN_OR_RETURN(auto battery, ParseBattery(req.battery));
    o.battery_mah = battery.first;
    o.battery_v = battery.second;
  }
  if (req.opt != "-Os" && req.opt != "-O2") {
    return InvalidArgument("--opt '" + req.opt + "': use -Os or -O2");
  }
  if (req.timeout_s < 1) return InvalidArgument("--timeout must be >= 1 second");
  o.build.opt = req.opt;
  o.build.work_dir = req.work_dir;
  o.build.qemu_timeout_s = req.timeout_s;

  std::error_code ec;
  if (!std::filesystem::exists(req.model, ec)) return NotFound(req.model + ": not found");
  if (std::filesystem::is_directory(req.model, ec)) {
    std::string name = req.name;
    if (name.empty()) {
      TQ_ASSIGN_OR_RETURN(name, FindModelName(req.model));
    }
    ModelFootprint model;
    model.model = req.model;
    return BudgetCDir(req.model, name, model, board, o);
  }
  // An ONNX model: export it as C first (quantizing a float model with --calib), into the kept
  // work dir or a temp dir removed afterwards.
  ExportModelOptions e;
  if (!req.name.empty()) e.c.name = req.name;
  e.calib_path = req.calib;
  e.card_path = req.card;
  std::string tmp;
  if (req.work_dir.empty()) {
    TQ_ASSIGN_OR_RETURN(tmp, target::MakeTempDir("budget"));
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      if (!dir.empty()) target::RemoveTree(dir);
    }
  } cleanup{tmp};
  const std::string c_dir = (tmp.empty() ? req.work_dir : tmp) + "/c";
  TQ_ASSIGN_OR_RETURN(ExportResult exported, ExportModelC(req.model, c_dir, e));
  ModelFootprint model = FootprintOf(exported);
  model.model = req.model;
  return BudgetCDir(c_dir, e.c.name, model, board, o);
}

}  // namespace tinyq
