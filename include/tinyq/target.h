// tinyq/target.h - board profiles, the cross-build + QEMU measurement of generated C, and the
// flash/RAM/latency budget of a model on a board.
//
//   TQ_ASSIGN_OR_RETURN(tinyq::BoardProfile board, tinyq::FindBoard("nucleo_l4r5zi"));
//   tinyq::BudgetOptions o;                                    // defaults: -Os, measured in QEMU
//   TQ_ASSIGN_OR_RETURN(tinyq::BudgetReport r,
//                       tinyq::BudgetCDir("out/kws", "kws", tinyq::ModelFootprint{}, board, o));
//   std::cout << BudgetToText(r);                              // r.fits, r.failures
//
// A generated C directory (docs/budget.md) holds NAME.h, NAME.c, NAME_weights.c and the runtime
// copies (tq_*.c/.h), with `tq_status NAME_invoke(const int8_t*, int8_t*, uint8_t*)` and the macros
// NAME_ARENA_SIZE, NAME_INPUT_SIZE, NAME_OUTPUT_SIZE (the contract of tinyq/export.h).
//
// Measurements need arm-none-eabi-gcc (Debian: gcc-arm-none-eabi), newlib's rdimon specs
// (libnewlib-arm-none-eabi) and qemu-system-arm (qemu-system-arm); a missing tool is
// FailedPrecondition naming the package.
#ifndef TINYQ_TARGET_H_
#define TINYQ_TARGET_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tinyq/status.h"

namespace tinyq {

// ---- board profiles ----------------------------------------------------------------------------
// The cores tinyq cross-compiles for: "cortex-m0plus", "cortex-m4", "cortex-m7", "cortex-m33".
const std::vector<std::string>& BuildableCores();

struct BoardProfile {
  std::string id;              // lookup key, e.g. "nucleo_l4r5zi"
  std::string name;            // "STM32 NUCLEO-L4R5ZI"
  std::string mcu;             // "STM32L4R5ZI"
  std::string core;            // the board's real core ("cortex-m4", "xtensa-lx7", ...)
  std::string build_core;      // the core the budget compiles for: `core`, or a labelled proxy
  double clock_hz = 0;         // CPU clock used for the latency estimate
  int64_t flash_bytes = 0;     // on-chip (or on-board program) flash
  int64_t ram_bytes = 0;       // SRAM usable by the application
  double active_power_mw = 0;  // MCU run-mode power at that clock; 0 = unknown (no energy estimate)
  std::string source;          // where the figures come from (datasheet name and figure)
};

// The built-in profiles (table in src/target/boards.cc, documented in docs/budget.md).
const std::vector<BoardProfile>& BuiltinBoards();
// NotFound listing the known ids.
StatusOr<BoardProfile> FindBoard(const std::string& id);
// A user profile: {"name", "core", "clock_mhz", "flash_kb", "ram_kb"[, "active_power_mw", "mcu",
// "source"]}; sizes in KiB. InvalidArgument naming `where` and the field for a missing,
// non-numeric, zero or negative value, an unknown core or an unknown field; IoError/NotFound for
// the file.
StatusOr<BoardProfile> ParseBoardProfileJson(const std::string& text, const std::string& where);
StatusOr<BoardProfile> LoadBoardProfile(const std::string& path);
std::string BoardsToJson(const std::vector<BoardProfile>& boards);  // {"format","version","boards"}
std::string BoardsToText(const std::vector<BoardProfile>& boards);

// "256K", "256KB", "1M", "1MB", "32768" -> bytes (K = 1024). InvalidArgument naming `flag`.
StatusOr<int64_t> ParseByteSize(const std::string& text, const std::string& flag);

// ---- cross build and emulated run --------------------------------------------------------------
struct TargetBuildOptions {
  std::string core = "cortex-m4";  // core of the size build (one of BuildableCores())
  std::string opt = "-Os";         // "-Os" or "-O2"
  std::vector<int8_t> input;       // embedded input; empty: a fixed pseudo-random pattern
  int repeat = 1;                  // inferences inside the measured window (>= 1)
  bool run = true;                 // false: sizes only, no QEMU
  int qemu_timeout_s = 300;
  std::string work_dir;  // keep the build here (created); empty: temp dir, removed
};

// Sizes of one link, per output section (arm-none-eabi-size -A).
using SectionSizes = std::map<std::string, int64_t>;

struct TargetBuildResult {
  std::string core;  // core of the size build
  // Size build: the model with a minimal main (no printf); harness vectors/startup are in `code`.
  int64_t weights_bytes = 0;  // NAME_weights.c constants (own section .tq_weights)
  int64_t code_bytes = 0;     // .text + .rodata + .ARM.exidx: model code, runtime, libgcc helpers
  int64_t data_bytes = 0;     // initialized writable data (flash image + RAM)
  int64_t bss_bytes = 0;      // zero-initialized static RAM (arena/I/O excluded)
  SectionSizes sections;
  // From the generated header (printed by the harness / read on the size build).
  int64_t arena_bytes = 0;
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;
  // Emulated run, when options.run: cortex-m7 on qemu mps2-an500 for a cortex-m7 size build,
  // otherwise cortex-m4 on qemu mps2-an386.
  bool ran = false;
  std::string run_core;        // "cortex-m4" | "cortex-m7"
  std::string emulator;        // "qemu-system-arm -M mps2-an386 -icount shift=0 (Cortex-M4)"
  int invoke_status = 0;       // NAME_invoke's return value
  int64_t instructions = 0;    // per inference: SysTick ticks * 40 / repeat (+-40)
  int64_t stack_bytes = 0;     // measured by stack painting around NAME_invoke
  std::vector<int8_t> output;  // the output bytes of the last inference
  std::string elf_path;        // run ELF (only meaningful with work_dir)
};

// The NAME of a generated C dir: the X with X.h, X.c and X_weights.c all present. NotFound / an
// InvalidArgument naming the candidates when zero or several match.
StatusOr<std::string> FindModelName(const std::string& c_dir);

// Builds `c_dir` for options.core (sizes), and with the semihosting harness for the emulated core
// (cortex-m7 when options.core is, else cortex-m4), runs it in QEMU (instructions, stack, output).
// FailedPrecondition for a missing tool (naming the Debian package) or a compile/link error (with
// the compiler's message), Internal for a QEMU fault or timeout.
StatusOr<TargetBuildResult> BuildAndMeasure(const std::string& c_dir, const std::string& name,
                                            const TargetBuildOptions& options);

// Parses `arm-none-eabi-size -A` output.
StatusOr<SectionSizes> ParseSizeOutput(const std::string& text, const std::string& where);

// ---- budget ------------------------------------------------------------------------------------
// Per-layer figures of the exported model (ExportResult::layers of tinyq/export.h).
struct LayerBudget {
  std::string node;
  std::string op;
  int64_t macs = 0;
  int64_t weight_bytes = 0;
  int64_t activation_bytes = 0;
};
// What the exporter knows and the ELF does not; empty for a plain C dir.
struct ModelFootprint {
  std::string model;  // source model path (report only)
  std::vector<LayerBudget> layers;
  int64_t total_macs = 0;             // 0 = unknown (no MACs per instruction)
  int64_t lower_bound_bytes = 0;      // arena lower bound of the planner; 0 = unknown
  int64_t exported_weight_bytes = 0;  // const bytes the exporter emitted; 0 = unknown
};

struct BudgetOptions {
  TargetBuildOptions build;    // build.core is set from the board
  int64_t flash_override = 0;  // > 0 replaces the board's flash
  int64_t ram_override = 0;
  double rate_per_s = 0;   // inferences per second; 0: no battery estimate
  double battery_mah = 0;  // with battery_v: battery life estimate
  double battery_v = 0;
};

// "1/s", "10/min", "2/h", "0.5" (per second). InvalidArgument naming --rate.
StatusOr<double> ParseRate(const std::string& text);
// "220mAh@3V", "1000mAh@3.7V". InvalidArgument naming --battery.
StatusOr<std::pair<double, double>> ParseBattery(const std::string& text);

struct BudgetFailure {
  std::string limit;  // "flash" | "ram"
  int64_t needed = 0;
  int64_t available = 0;
  int64_t over_by = 0;
};

struct BudgetReport {
  BoardProfile board;  // with overrides applied
  ModelFootprint model;
  TargetBuildResult build;
  int64_t flash_total = 0;  // weights + code + data
  int64_t ram_total = 0;    // arena + input + output + stack + data + bss
  bool fits = true;
  std::vector<BudgetFailure> failures;
  // Estimates (0 when an input is unknown); assumptions listed in the report text/JSON.
  double latency_ms = 0;    // instructions / clock (assumes 1 instruction per cycle)
  double energy_uj = 0;     // active power * latency
  double battery_days = 0;  // battery energy / (rate * energy per inference)
  double macs_per_instruction = 0;
  BudgetOptions options;
};

struct ExportResult;  // tinyq/export.h
// The footprint the exporter knows (per-layer MACs/bytes, arena lower bound, const bytes).
ModelFootprint FootprintOf(const ExportResult& r);
// A built-in board id, or a profile JSON when `target` ends in ".json".
StatusOr<BoardProfile> ResolveBoard(const std::string& target);

// Builds and measures `c_dir` for the board and compares with its limits.
StatusOr<BudgetReport> BudgetCDir(const std::string& c_dir, const std::string& name,
                                  const ModelFootprint& model, const BoardProfile& board,
                                  const BudgetOptions& options);

// What the CLI (`tinyq budget`) and Python (`tinyq.budget`) pass, as text, parsed in one place.
struct BudgetRequest {
  std::string model;    // an ONNX model (exported with ExportModelC first) or a generated C
                        // directory (NAME.h, NAME.c, NAME_weights.c, tq_*.c/.h)
  std::string name;     // C name (export) / model name inside the directory; empty: default/found
  std::string calib;    // float ONNX model: calibration data for default int8 quantization
  std::string card;     // its model card (preprocessing), optional
  std::string target;   // built-in board id (BuiltinBoards)
  std::string profile;  // or a JSON board profile (exactly one of target/profile)
  std::string flash;    // overrides: "1M", "256K", bytes; empty: the board's
  std::string ram;
  std::string rate;     // "1/s"; with battery: battery life estimate
  std::string battery;  // "220mAh@3V"
  std::string opt = "-Os";
  std::string work_dir;  // keep the builds here; empty: temp dir
  int timeout_s = 300;   // qemu timeout
};
// InvalidArgument for bad/missing arguments (naming the flag), NotFound for an unknown board, and
// the errors of BudgetCDir. A model that does not fit is a report with fits == false, not an error.
StatusOr<BudgetReport> RunBudget(const BudgetRequest& request);

// The "budget" section of the report (tinyq/report.h: BudgetReportJson).
std::string BudgetToJson(const BudgetReport& r);
std::string BudgetToText(const BudgetReport& r);

}  // namespace tinyq

#endif  // TINYQ_TARGET_H_
