// The budget of a generated model on a board: measured flash/RAM/instructions against the board's
// limits, plus labelled estimates (latency, energy, battery life).
//
//   flash = weights + code + data           (size build for the board's core)
//   RAM   = arena + input + output + stack + data + bss
//   latency  = instructions / clock         ASSUMES 1 instruction per cycle (instructions !=
//   cycles) energy   = active power * latency       MCU run-mode power from the board's datasheet
//   battery  = capacity * voltage / (rate * energy)   inference only: sleep and peripherals ignored
#include <algorithm>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tinyq/target.h"

namespace tinyq {

namespace {

void Check(BudgetReport* r, const std::string& limit, int64_t needed, int64_t available) {
  if (needed <= available) return;
  r->fits = false;
  r->failures.push_back({limit, needed, available, needed - available});
}

std::vector<std::string> Assumptions(const BudgetReport& r) {
  std::vector<std::string> a = {
      "instructions are counted on the emulated " + r.build.run_core + " (" + r.build.emulator +
          "; SysTick: 40 instructions per tick, +-40 per measurement); instructions are not "
          "cycles",
      "latency = instructions / clock: assumes one instruction per cycle (flash wait states, "
      "multi-cycle loads/multiplies and cache effects ignored)",
      "energy = active power x latency, with the MCU run-mode power of the board's datasheet "
      "(board-level power is higher)",
      "battery life counts inference energy only: sleep current, sensors and radio are ignored",
      "stack measured by painting around one invocation on the emulated core's build",
      "code includes a ~100-byte vector table/startup and the libgcc/libc helpers the model uses"};
  if (r.board.build_core != r.board.core) {
    a.push_back("board core " + r.board.core + " is not buildable here: sizes are for a " +
                r.board.build_core + " proxy build");
  }
  if (r.board.build_core != r.build.run_core) {
    a.push_back("instruction count and stack are from the " + r.build.run_core + " build; the " +
                r.board.build_core + " executes a different instruction mix");
  }
  return a;
}

}  // namespace

StatusOr<BudgetReport> BudgetCDir(const std::string& c_dir, const std::string& name,
                                  const ModelFootprint& model, const BoardProfile& board,
                                  const BudgetOptions& options) {
  BudgetReport r;
  r.board = board;
  if (options.flash_override > 0) r.board.flash_bytes = options.flash_override;
  if (options.ram_override > 0) r.board.ram_bytes = options.ram_override;
  r.model = model;
  r.options = options;
  TargetBuildOptions build = options.build;
  build.core = board.build_core;
  build.run = true;
  TQ_ASSIGN_OR_RETURN(r.build, BuildAndMeasure(c_dir, name, build));
  if (r.build.invoke_status != 0) {
    return Internal(c_dir + ": " + name + "_invoke returned status " +
                    std::to_string(r.build.invoke_status) + " on the emulated core");
  }
  const TargetBuildResult& b = r.build;
  r.flash_total = b.weights_bytes + b.code_bytes + b.data_bytes;
  r.ram_total =
      b.arena_bytes + b.input_bytes + b.output_bytes + b.stack_bytes + b.data_bytes + b.bss_bytes;
  Check(&r, "flash", r.flash_total, r.board.flash_bytes);
  Check(&r, "ram", r.ram_total, r.board.ram_bytes);
  const double seconds = r.board.clock_hz > 0 ? b.instructions / r.board.clock_hz : 0;
  r.latency_ms = seconds * 1e3;
  r.energy_uj = r.board.active_power_mw * seconds * 1e3;  // mW * s = mJ -> uJ
  if (options.rate_per_s > 0 && options.battery_mah > 0 && r.energy_uj > 0) {
    const double battery_j = options.battery_mah * 1e-3 * 3600.0 * options.battery_v;
    const double watts = options.rate_per_s * r.energy_uj * 1e-6;
    r.battery_days = battery_j / watts / 86400.0;
  }
  if (model.total_macs > 0 && b.instructions > 0) {
    r.macs_per_instruction = static_cast<double>(model.total_macs) / b.instructions;
  }
  return r;
}

std::string BudgetToJson(const BudgetReport& r) {
  using Json = nlohmann::ordered_json;
  const TargetBuildResult& b = r.build;
  Json j;
  j["model"] = r.model.model;
  j["board"] = {{"id", r.board.id},
                {"name", r.board.name},
                {"core", r.board.core},
                {"build_core", r.board.build_core},
                {"proxy_core", r.board.build_core != r.board.core},
                {"clock_hz", r.board.clock_hz},
                {"flash_bytes", r.board.flash_bytes},
                {"ram_bytes", r.board.ram_bytes},
                {"active_power_mw", r.board.active_power_mw},
                {"source", r.board.source}};
  j["fits"] = r.fits;
  j["failures"] = Json::array();
  for (const BudgetFailure& f : r.failures) {
    j["failures"].push_back({{"limit", f.limit},
                             {"needed_bytes", f.needed},
                             {"available_bytes", f.available},
                             {"over_by_bytes", f.over_by}});
  }
  j["flash"] = {
      {"weights_bytes", b.weights_bytes}, {"exported_weight_bytes", r.model.exported_weight_bytes},
      {"code_bytes", b.code_bytes},       {"data_bytes", b.data_bytes},
      {"total_bytes", r.flash_total},     {"available_bytes", r.board.flash_bytes}};
  j["ram"] = {
      {"arena_bytes", b.arena_bytes}, {"arena_lower_bound_bytes", r.model.lower_bound_bytes},
      {"input_bytes", b.input_bytes}, {"output_bytes", b.output_bytes},
      {"stack_bytes", b.stack_bytes}, {"static_bytes", b.data_bytes + b.bss_bytes},
      {"total_bytes", r.ram_total},   {"available_bytes", r.board.ram_bytes}};
  j["sections"] = b.sections;
  j["measured"] = {
      {"build", "arm-none-eabi-gcc -mcpu=" + b.core + " -mthumb " + r.options.build.opt +
                    " -ffunction-sections -fdata-sections "
                    "--gc-sections"},
      {"emulator", b.emulator},
      {"instructions_per_inference", b.instructions},
      {"total_macs", r.model.total_macs},
      {"macs_per_instruction", r.macs_per_instruction}};
  Json est = {{"latency_ms", r.latency_ms}, {"energy_per_inference_uj", r.energy_uj}};
  est["rate_per_s"] = r.options.rate_per_s;
  est["battery_mah"] = r.options.battery_mah;
  est["battery_v"] = r.options.battery_v;
  est["battery_life_days"] = r.battery_days;
  est["assumptions"] = Assumptions(r);
  j["estimates"] = est;
  j["layers"] = Json::array();
  for (const LayerBudget& l : r.model.layers) {
    j["layers"].push_back({{"node", l.node},
                           {"op", l.op},
                           {"macs", l.macs},
                           {"weight_bytes", l.weight_bytes},
                           {"activation_bytes", l.activation_bytes}});
  }
  return j.dump(2);
}

namespace {
std::string Bytes(int64_t n) {
  std::ostringstream os;
  os << n << " B";
  if (n >= 1024) os << " (" << std::fixed << std::setprecision(1) << n / 1024.0 << " KiB)";
  return os.str();
}
std::string Percent(int64_t part, int64_t whole) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << (whole > 0 ? 100.0 * part / whole : 0) << "%";
  return os.str();
}
}  // namespace

std::string BudgetToText(const BudgetReport& r) {
  const TargetBuildResult& b = r.build;
  std::ostringstream os;
  os << "board: " << r.board.name << " (" << r.board.mcu << ", " << r.board.core << " @ "
     << r.board.clock_hz / 1e6 << " MHz)";
  if (r.board.build_core != r.board.core)
    os << "  [built for proxy core " << r.board.build_core << "]";
  os << "\n\nflash  " << std::setw(26) << Bytes(r.flash_total) << " of "
     << Bytes(r.board.flash_bytes) << "  " << Percent(r.flash_total, r.board.flash_bytes)
     << (r.flash_total > r.board.flash_bytes ? "  DOES NOT FIT" : "") << "\n  weights "
     << Bytes(b.weights_bytes) << ", code " << Bytes(b.code_bytes) << ", data "
     << Bytes(b.data_bytes) << "\n";
  os << "RAM    " << std::setw(26) << Bytes(r.ram_total) << " of " << Bytes(r.board.ram_bytes)
     << "  " << Percent(r.ram_total, r.board.ram_bytes)
     << (r.ram_total > r.board.ram_bytes ? "  DOES NOT FIT" : "") << "\n  arena "
     << Bytes(b.arena_bytes);
  if (r.model.lower_bound_bytes > 0)
    os << " (lower bound " << Bytes(r.model.lower_bound_bytes) << ")";
  os << ", input " << Bytes(b.input_bytes) << ", output " << Bytes(b.output_bytes) << ", stack "
     << Bytes(b.stack_bytes) << " (measured), static " << Bytes(b.data_bytes + b.bss_bytes)
     << "\n\n";
  os << "instructions per inference: " << b.instructions << " (" << b.emulator << ")\n";
  if (r.macs_per_instruction > 0) {
    os << "MACs: " << r.model.total_macs << ", MACs per instruction: " << std::fixed
       << std::setprecision(3) << r.macs_per_instruction << "\n";
  }
  os << std::defaultfloat << "\nestimates (see assumptions):\n  latency " << std::setprecision(4)
     << r.latency_ms << " ms at " << r.board.clock_hz / 1e6 << " MHz\n";
  if (r.energy_uj > 0)
    os << "  energy " << r.energy_uj << " uJ per inference at " << r.board.active_power_mw
       << " mW\n";
  if (r.battery_days > 0) {
    os << "  battery " << r.options.battery_mah << " mAh @ " << r.options.battery_v << " V at "
       << r.options.rate_per_s << " inferences/s: " << r.battery_days << " days\n";
  }
  if (!r.model.layers.empty()) {
    size_t w = 24, wop = 18;
    for (const LayerBudget& l : r.model.layers) {
      w = std::max(w, l.node.size() + 2);
      wop = std::max(wop, l.op.size() + 2);
    }
    const int name_w = static_cast<int>(w), op_w = static_cast<int>(wop);
    os << "\n"
       << std::left << std::setw(name_w) << "layer" << std::setw(op_w) << "op" << std::right
       << std::setw(12) << "MACs" << std::setw(12) << "weights B" << std::setw(14)
       << "activations B"
       << "\n";
    for (const LayerBudget& l : r.model.layers) {
      os << std::left << std::setw(name_w) << l.node << std::setw(op_w) << l.op << std::right
         << std::setw(12) << l.macs << std::setw(12) << l.weight_bytes << std::setw(14)
         << l.activation_bytes << "\n";
    }
  }
  os << "\nassumptions:\n";
  for (const std::string& a : Assumptions(r)) os << "  - " << a << "\n";
  os << "\n" << (r.fits ? "FITS" : "DOES NOT FIT");
  for (const BudgetFailure& f : r.failures) {
    os << "  " << f.limit << " over by " << Bytes(f.over_by);
  }
  os << "\n";
  return os.str();
}

}  // namespace tinyq
