// RunBudget: the argument handling shared by `tinyq budget` and `tinyq.budget(...)`.
#include <filesystem>

#include "tinyq/target.h"

namespace tinyq {

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
  if (!std::filesystem::is_directory(req.model, ec)) {
    if (!std::filesystem::exists(req.model, ec)) return NotFound(req.model + ": not found");
    // An ONNX model needs the C code generator (ExportC, tinyq/export.h) first.
    return Unsupported(req.model +
                       ": budget takes a generated C directory (tinyq export MODEL --format c -o "
                       "DIR) until the C code generator is wired in");
  }
  std::string name = req.name;
  if (name.empty()) {
    TQ_ASSIGN_OR_RETURN(name, FindModelName(req.model));
  }
  ModelFootprint model;
  model.model = req.model;
  return BudgetCDir(req.model, name, model, board, o);
}

}  // namespace tinyq
