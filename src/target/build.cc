// Cross build of a generated C dir with arm-none-eabi-gcc and its emulated run in qemu.
//
// Two links per model:
//   size build (options.core): the model + a minimal main/startup, -ffunction-sections
//     -fdata-sections --gc-sections, no printf; weights objects land in their own output section
//     (.tq_weights), so arm-none-eabi-size -A splits flash into weights and code.
//   run build (cortex-m7 for M7 boards, else cortex-m4): the same sources + the semihosting
//     harness (harness.cc), run in qemu-system-arm -M mps2-an500 / mps2-an386 -icount shift=0,
//     where SysTick counts one tick per 40 instructions (ENVIRONMENT.md); stack use is measured
//     by painting.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/target/harness.h"
#include "src/target/toolchain.h"
#include "tinyq/target.h"

namespace tinyq {

namespace fs = std::filesystem;
using target::CommandResult;

StatusOr<std::string> FindModelName(const std::string& c_dir) {
  std::error_code ec;
  if (!fs::is_directory(c_dir, ec)) return NotFound(c_dir + ": not a directory");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(c_dir, ec)) {
    const std::string file = e.path().filename().string();
    if (file.size() < 3 || file.substr(file.size() - 2) != ".h") continue;
    const std::string stem = file.substr(0, file.size() - 2);
    if (fs::exists(fs::path(c_dir) / (stem + ".c")) &&
        (fs::exists(fs::path(c_dir) / (stem + "_weights.c")) ||
         fs::exists(fs::path(c_dir) / (stem + "_weights.bin")))) {
      names.push_back(stem);
    }
  }
  if (names.empty()) {
    return NotFound(c_dir +
                    ": no generated model (NAME.h, NAME.c and NAME_weights.c or NAME_weights.bin)");
  }
  if (names.size() > 1) {
    std::sort(names.begin(), names.end());
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return InvalidArgument(c_dir + ": several generated models (" + list + "); pass --name");
  }
  return names[0];
}

StatusOr<SectionSizes> ParseSizeOutput(const std::string& text, const std::string& where) {
  // arm-none-eabi-size -A:  "x.elf  :\nsection  size  addr\n.text  1234  0\n...\nTotal  5678"
  SectionSizes sizes;
  std::istringstream in(text);
  std::string line;
  bool header = false;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string name, size, addr;
    if (!(ls >> name >> size)) continue;
    if (name == "section") {
      header = true;
      continue;
    }
    if (!header || name == "Total" || name[0] != '.') continue;
    try {
      sizes[name] = std::stoll(size);
    } catch (const std::exception&) {
      return Internal(where + ": cannot read the size of section " + name + ": '" + size + "'");
    }
  }
  if (!header) return Internal(where + ": unexpected arm-none-eabi-size output: " + text);
  return sizes;
}

namespace {

struct Tools {
  std::string gcc, size, qemu;
};

StatusOr<Tools> FindTools(bool run) {
  Tools t;
  TQ_ASSIGN_OR_RETURN(t.gcc, target::FindTool("arm-none-eabi-gcc", "gcc-arm-none-eabi"));
  TQ_ASSIGN_OR_RETURN(t.size, target::FindTool("arm-none-eabi-size", "binutils-arm-none-eabi"));
  TQ_ASSIGN_OR_RETURN(CommandResult specs,
                      target::RunCommand({t.gcc, "-print-file-name=rdimon.specs"}));
  const std::string path = specs.output.substr(0, specs.output.find('\n'));
  if (path.find('/') == std::string::npos) {
    return FailedPrecondition(
        "arm-none-eabi-gcc has no newlib (rdimon.specs): install the Debian package "
        "libnewlib-arm-none-eabi (apt-get install libnewlib-arm-none-eabi)");
  }
  if (run) {
    TQ_ASSIGN_OR_RETURN(t.qemu, target::FindTool("qemu-system-arm", "qemu-system-arm"));
  }
  return t;
}

Status CheckCommand(const CommandResult& r, const std::string& what) {
  if (r.exit_code == 0) return Status::Ok();
  std::string out = r.output.size() > 4000 ? r.output.substr(0, 4000) + "\n..." : r.output;
  return FailedPrecondition(what + " failed (exit " + std::to_string(r.exit_code) + "):\n" + out);
}

StatusOr<std::string> ReadBinaryFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in) return IoError(path + ": cannot read");
  return ss.str();
}

std::vector<std::string> CoreFlags(const std::string& core, const std::string& opt) {
  return {"-mcpu=" + core, "-mthumb", opt, "-std=c99", "-ffunction-sections", "-fdata-sections"};
}

// Compiles every .c of `c_dir` into `obj_dir`; returns the object paths. A blob-mode model
// (NAME_weights.bin) gets the blob as NAME_weights_blob.c (HarnessBlobSource) in `obj_dir`; like
// NAME_weights.c it lands in .tq_weights.
StatusOr<std::vector<std::string>> CompileModel(const Tools& t, const std::string& c_dir,
                                                const std::string& name, const std::string& core,
                                                const std::string& opt,
                                                const std::string& obj_dir) {
  std::vector<std::string> sources;
  fs::create_directories(obj_dir);
  const fs::path bin = fs::path(c_dir) / (name + "_weights.bin");
  if (fs::exists(bin)) {
    TQ_ASSIGN_OR_RETURN(std::string blob, ReadBinaryFile(bin.string()));
    const std::string src = obj_dir + "/" + name + "_weights_blob.c";
    TQ_RETURN_IF_ERROR(target::WriteTextFile(src, target::HarnessBlobSource(blob)));
    sources.push_back(src);
  }
  for (const auto& e : fs::directory_iterator(c_dir)) {
    // The contract's sources only: NAME.c, NAME_weights.c and the runtime copies tq_*.c.
    const std::string file = e.path().filename().string();
    if (e.path().extension() == ".c" &&
        (file == name + ".c" || file == name + "_weights.c" || file.rfind("tq_", 0) == 0)) {
      sources.push_back(e.path().string());
    }
  }
  std::sort(sources.begin(), sources.end());
  fs::create_directories(obj_dir);
  std::vector<std::string> objects;
  for (const std::string& src : sources) {
    const std::string stem = fs::path(src).stem().string();
    const std::string prefix =
        stem == name + "_weights" || stem == name + "_weights_blob" ? target::kWeightsObjectPrefix
                                                                    : "";
    const std::string obj = obj_dir + "/" + prefix + stem + ".o";
    std::vector<std::string> argv = {t.gcc};
    for (const std::string& f : CoreFlags(core, opt)) argv.push_back(f);
    for (const std::string& f :
         {std::string("-I") + c_dir, std::string("-c"), src, std::string("-o"), obj}) {
      argv.push_back(f);
    }
    TQ_ASSIGN_OR_RETURN(CommandResult r, target::RunCommand(argv));
    TQ_RETURN_IF_ERROR(CheckCommand(r, "arm-none-eabi-gcc (" + core + ") " + src));
    objects.push_back(obj);
  }
  return objects;
}

// Compiles the harness files in `dir` and links them with `objects` into `elf`.
Status LinkHarness(const Tools& t, const std::string& c_dir, const std::string& core,
                   const std::string& opt, const std::string& dir,
                   const std::vector<std::string>& objects, bool semihosting,
                   const std::string& elf) {
  std::vector<std::string> argv = {t.gcc};
  for (const std::string& f : CoreFlags(core, opt)) argv.push_back(f);
  argv.push_back("-I" + c_dir);
  argv.push_back("-T" + dir + "/link.ld");
  argv.push_back("-Wl,--gc-sections");
  if (semihosting) {
    argv.push_back("--specs=rdimon.specs");
  } else {
    argv.insert(argv.end(), {"-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs"});
  }
  argv.push_back(dir + "/startup.c");
  argv.push_back(dir + "/main.c");
  argv.insert(argv.end(), objects.begin(), objects.end());
  argv.push_back("-o");
  argv.push_back(elf);
  TQ_ASSIGN_OR_RETURN(CommandResult r, target::RunCommand(argv));
  return CheckCommand(r, "linking " + elf);
}

Status WriteHarness(const std::string& dir, const std::string& main_c, bool semihosting) {
  fs::create_directories(dir);
  TQ_RETURN_IF_ERROR(target::WriteTextFile(dir + "/link.ld", target::HarnessLinkerScript()));
  TQ_RETURN_IF_ERROR(
      target::WriteTextFile(dir + "/startup.c", target::HarnessStartup(semihosting)));
  return target::WriteTextFile(dir + "/main.c", main_c);
}

int64_t Section(const SectionSizes& s, const std::string& name) {
  auto it = s.find(name);
  return it == s.end() ? 0 : it->second;
}

// Reads the TQ_* lines printed by the run harness into `r`.
Status ParseRunOutput(const std::string& text, TargetBuildResult* r) {
  std::istringstream in(text);
  std::string line;
  bool done = false;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key == "TQ_ERROR") return InvalidArgument(line.substr(9));
    if (key == "TQ_FAULT") return Internal("the model faulted (HardFault) on the emulated core");
    if (key == "TQ_SIZES") ls >> r->arena_bytes >> r->input_bytes >> r->output_bytes;
    if (key == "TQ_STATUS") ls >> r->invoke_status;
    if (key == "TQ_STACK") ls >> r->stack_bytes;
    if (key == "TQ_TICKS") {
      uint64_t hi = 0, lo = 0;
      ls >> hi >> lo;
      r->instructions = static_cast<int64_t>((hi << 32) | lo) * target::kInstructionsPerTick;
    }
    if (key == "TQ_OUTPUT") {
      std::string hex;
      ls >> hex;
      r->output.clear();
      for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        r->output.push_back(static_cast<int8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
      }
    }
    if (key == "TQ_DONE") done = true;
  }
  if (!done) return Internal("the emulated run ended early; its output:\n" + text);
  return Status::Ok();
}

}  // namespace

StatusOr<TargetBuildResult> BuildAndMeasure(const std::string& c_dir, const std::string& name,
                                            const TargetBuildOptions& options) {
  const auto& cores = BuildableCores();
  if (std::find(cores.begin(), cores.end(), options.core) == cores.end()) {
    return InvalidArgument("unknown core '" + options.core + "'");
  }
  if (options.opt != "-Os" && options.opt != "-O2") {
    return InvalidArgument("optimization '" + options.opt + "': use -Os or -O2");
  }
  if (options.repeat < 1) return InvalidArgument("repeat must be >= 1");
  std::error_code ec;
  if (!fs::exists(fs::path(c_dir) / (name + ".h"), ec)) {
    return NotFound(c_dir + ": " + name + ".h not found");
  }
  TQ_ASSIGN_OR_RETURN(Tools tools, FindTools(options.run));

  std::string work = options.work_dir;
  if (work.empty()) {
    TQ_ASSIGN_OR_RETURN(work, target::MakeTempDir("build"));
  } else {
    fs::create_directories(work, ec);
    if (ec) return IoError(work + ": cannot create: " + ec.message());
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      if (!dir.empty()) target::RemoveTree(dir);
    }
  } cleanup{options.work_dir.empty() ? work : ""};

  TargetBuildResult r;
  r.core = options.core;
  // Size build for the requested core.
  const std::string size_dir = work + "/size_" + options.core;
  TQ_ASSIGN_OR_RETURN(std::vector<std::string> objs,
                      CompileModel(tools, c_dir, name, options.core, options.opt, size_dir));
  const bool blob = fs::exists(fs::path(c_dir) / (name + "_weights.bin"), ec);
  TQ_RETURN_IF_ERROR(WriteHarness(size_dir, target::HarnessSizeMain(name, blob), false));
  const std::string size_elf = size_dir + "/model.elf";
  TQ_RETURN_IF_ERROR(
      LinkHarness(tools, c_dir, options.core, options.opt, size_dir, objs, false, size_elf));
  TQ_ASSIGN_OR_RETURN(CommandResult sz, target::RunCommand({tools.size, "-A", size_elf}));
  TQ_RETURN_IF_ERROR(CheckCommand(sz, "arm-none-eabi-size"));
  TQ_ASSIGN_OR_RETURN(r.sections, ParseSizeOutput(sz.output, size_elf));
  r.weights_bytes = Section(r.sections, ".tq_weights");
  r.code_bytes = Section(r.sections, ".vectors") + Section(r.sections, ".text") +
                 Section(r.sections, ".ARM.extab") + Section(r.sections, ".ARM.exidx") +
                 Section(r.sections, ".eh_frame");
  r.data_bytes = Section(r.sections, ".data");
  r.bss_bytes = Section(r.sections, ".bss");
  if (!options.run) return r;

  // Run build: Cortex-M7 boards on qemu mps2-an500, every other core as a Cortex-M4 on mps2-an386
  // (both: SysTick on a 25 MHz clock, 40 instructions per tick with -icount shift=0).
  const bool m7 = options.core == "cortex-m7";
  const std::string run_core = m7 ? "cortex-m7" : "cortex-m4";
  const std::string machine = m7 ? "mps2-an500" : "mps2-an386";
  const std::string run_dir = work + "/run_" + run_core;
  TQ_ASSIGN_OR_RETURN(std::vector<std::string> run_objs,
                      CompileModel(tools, c_dir, name, run_core, options.opt, run_dir));
  TQ_RETURN_IF_ERROR(WriteHarness(
      run_dir, target::HarnessRunMain(name, options.input, options.repeat, blob), true));
  r.elf_path = run_dir + "/run.elf";
  TQ_RETURN_IF_ERROR(
      LinkHarness(tools, c_dir, run_core, options.opt, run_dir, run_objs, true, r.elf_path));
  TQ_ASSIGN_OR_RETURN(
      CommandResult q,
      target::RunCommand({tools.qemu, "-M", machine, "-nographic", "-semihosting-config",
                          "enable=on,target=native", "-icount", "shift=0", "-kernel", r.elf_path},
                         options.qemu_timeout_s));
  if (q.timed_out) {
    return Internal("qemu-system-arm did not finish within " +
                    std::to_string(options.qemu_timeout_s) + " s");
  }
  TQ_RETURN_IF_ERROR(ParseRunOutput(q.output, &r));
  r.instructions /= options.repeat;
  r.ran = true;
  r.run_core = run_core;
  r.emulator = "qemu-system-arm -M " + machine + " -icount shift=0 (" +
               (m7 ? "Cortex-M7" : "Cortex-M4") + ")";
  return r;
}

}  // namespace tinyq
