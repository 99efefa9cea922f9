// tinyq - shrink neural networks until they fit a microcontroller.
//   tinyq <verb> [options]      (tinyq <verb> --help for each verb)
#include <cstring>
#include <exception>
#include <iostream>

#include "src/cli/cli.h"
#include "tinyq/interrupt.h"

namespace tinyq::cli {

const std::vector<Verb>& Verbs() {
  static const std::vector<Verb> verbs = {
      {"inspect", "show a model's inputs, outputs, layers, parameters and MACs", InspectMain},
      {"run", "run a model on .npy inputs and write each output as .npy", RunMain},
      {"eval", "evaluate a classifier (top-1) or anomaly detector (AUC) on a dataset", EvalMain},
      {"calibrate", "observe activation ranges on calibration data and save them (JSON)",
       CalibrateMain},
      {"quantize", "post-training int8 quantization with calibration -> QDQ ONNX + report",
       QuantizeMain},
      {"shrink", "the whole pipeline: quantize, evaluate, export, budget -> OUTDIR + report",
       ShrinkMain},
      {"check", "CI gate: compare a report with limits and a baseline (JUnit, Markdown)",
       CheckMain},
      {"export", "write a quantized model as C99 (NAME.h/.c, const weights, runtime) or ONNX",
       ExportMain},
      {"targets", "list the built-in board profiles (flash, RAM, core, clock, power)", TargetsMain},
      {"budget", "build generated C for a board, measure flash/RAM/instructions, check the fit",
       BudgetMain},
      {"prune", "channel pruning (real shape shrink) + least-squares recovery, magnitude/N:M",
       PruneMain},
      {"distill", "train a student from a teacher's soft labels (knowledge distillation)",
       DistillMain},
      {"train", "train a model's weights on labelled data (cross-entropy)", TrainMain},
  };
  return verbs;
}

namespace {
void PrintUsage(std::ostream& os) {
  os << "usage: tinyq <verb> [options]    (tinyq <verb> --help)\n\nverbs:\n";
  for (const Verb& v : Verbs()) os << "  " << v.name << std::string(10 - std::strlen(v.name), ' ')
                                   << v.help << "\n";
  os << "\nexit codes: 0 ok, 1 check failed, 2 usage, 3 invalid model, 4 unsupported,\n"
        "            5 invalid argument/precondition, 6 I/O or not found, 70 internal error,\n"
        "            130 interrupted (Ctrl-C), 143 terminated (SIGTERM); no partial output is left\n";
}
}  // namespace

}  // namespace tinyq::cli

int main(int argc, char** argv) {
  using namespace tinyq::cli;
  tinyq::InstallInterruptHandler();  // before any thread starts: Ctrl-C leaves no partial output
  if (argc < 2) {
    PrintUsage(std::cerr);
    return kExitUsage;
  }
  const std::string verb = argv[1];
  if (verb == "--help" || verb == "-h" || verb == "help") {
    PrintUsage(std::cout);
    return 0;
  }
  if (verb == "--version") {
    std::cout << "tinyq " << TINYQ_VERSION << "\n";
    return 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Verb& v : Verbs()) {
    if (verb != v.name) continue;
    try {
      return v.main(args);
    } catch (const std::bad_alloc&) {
      return Fail(tinyq::Status(tinyq::StatusCode::kInternal, "out of memory"));
    } catch (const std::exception& e) {
      return Fail(tinyq::Status(tinyq::StatusCode::kInternal, e.what()));
    }
  }
  std::cerr << "tinyq: unknown verb '" << verb << "'\n";
  PrintUsage(std::cerr);
  return kExitUsage;
}
