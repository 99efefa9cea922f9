// src/cli/cli.h - shared pieces of the `tinyq` command-line verbs.
#ifndef TINYQ_SRC_CLI_CLI_H_
#define TINYQ_SRC_CLI_CLI_H_

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "tinyq/api.h"
#include "tinyq/quantize.h"
#include "tinyq/status.h"
#include "tinyq/train.h"

namespace tinyq::cli {

namespace po = boost::program_options;

constexpr int kExitUsage = 2;

// A verb: name, one-line help, and its entry point taking the arguments after the verb.
struct Verb {
  const char* name;
  const char* help;
  int (*main)(const std::vector<std::string>& args);
};
const std::vector<Verb>& Verbs();

int InspectMain(const std::vector<std::string>& args);
int RunMain(const std::vector<std::string>& args);
int EvalMain(const std::vector<std::string>& args);
int CalibrateMain(const std::vector<std::string>& args);
int QuantizeMain(const std::vector<std::string>& args);
int CheckMain(const std::vector<std::string>& args);
int ShrinkMain(const std::vector<std::string>& args);
int ExportMain(const std::vector<std::string>& args);
int TargetsMain(const std::vector<std::string>& args);
int BudgetMain(const std::vector<std::string>& args);
int PruneMain(const std::vector<std::string>& args);
int DistillMain(const std::vector<std::string>& args);
int TrainMain(const std::vector<std::string>& args);

// Parses `args` against `opts` (+ positional), handling --help. Returns -1 to continue, or the
// exit code to return (0 after --help, 2 after a usage error, with the message on stderr).
int ParseArgs(const std::string& verb, const std::string& usage,
              const std::vector<std::string>& args, const po::options_description& opts,
              const po::positional_options_description& pos, po::variables_map* vm);

// --method, --percentile, --calib-limit: how activation ranges are calibrated (calibrate,
// quantize, shrink), and reading them into QuantizeOptions.
void AddCalibrationOptions(po::options_description& opts);
Status ReadCalibrationOptions(const po::variables_map& vm, QuantizeOptions* o);

// --report FILE and --json, for verbs that write a report (a "tinyq.report", tinyq/report.h).
void AddReportOptions(po::options_description& opts);

// The end of a verb with a report: writes `json` to --report if given, then prints `json`
// (--json) or `text`. Returns 0, or the exit code of a failed write.
int EmitReport(const po::variables_map& vm, const std::string& json, const std::string& text);

// The training flags shared by `distill`, `train` and `prune --recover distill` (epochs, batch,
// lr, optimizer, schedule, warm-up, BatchNormalization mode, augmentation, seed, ...), and with
// `distillation` also the teacher terms (temperature, alpha, feature losses, teacher cache).
// ReadTrainingFlags fills the matching TrainOptions fields.
void AddTrainingFlags(po::options_description& opts, bool distillation);
Status ReadTrainingFlags(const po::variables_map& vm, TrainOptions* o);

// The end of a verb that writes a model: saves `graph` as ONNX to `out`, writes `json` to
// --report if given, prints `json` (--json) or `text` + "wrote OUT". Returns the exit code.
int SaveModelAndReport(const po::variables_map& vm, const Graph& graph, const std::string& out,
                       const std::string& json, const std::string& text);

// Prints "tinyq: error: <Code>: <message>" to stderr and returns the documented exit code.
int Fail(const Status& s);

// "--input-shape NAME=1,3,64,64" or "--input-shape 1,3,64,64" (the only input).
StatusOr<LoadOptions> ParseInputShapes(const std::vector<std::string>& specs);

// Loads a model with the shared --input-shape handling.
StatusOr<std::unique_ptr<Graph>> LoadModel(const std::string& path,
                                           const std::vector<std::string>& input_shapes);

// Progress reporting on stderr: a bar with ETA on a terminal, a plain line every 10% otherwise.
class Progress {
 public:
  explicit Progress(std::string label);
  void Update(int64_t done, int64_t total);
  void Finish();

 private:
  std::string label_;
  bool tty_;
  int last_decile_ = -1;
  double start_;
  bool finished_ = false;
};

}  // namespace tinyq::cli

#endif  // TINYQ_SRC_CLI_CLI_H_
