#include "src/cli/cli.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace tinyq::cli {

int ParseArgs(const std::string& verb, const std::string& usage,
              const std::vector<std::string>& args, const po::options_description& opts,
              const po::positional_options_description& pos, po::variables_map* vm) {
  po::options_description all(opts);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), *vm);
    if (vm->count("help")) {
      std::cout << "usage: tinyq " << verb << " " << usage << "\n\n" << all << "\n";
      return 0;
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    std::cerr << "tinyq " << verb << ": " << e.what() << "\nusage: tinyq " << verb << " " << usage
              << "\n(see tinyq " << verb << " --help)\n";
    return kExitUsage;
  }
  return -1;
}

int Fail(const Status& s) {
  std::cerr << "tinyq: error: " << StatusCodeName(s.code()) << ": " << s.message() << "\n";
  return ExitCodeFor(s.code());
}

namespace {
StatusOr<Shape> ParseDims(const std::string& text, const std::string& spec) {
  Shape dims;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      long long d = std::stoll(item, &used);
      if (used != item.size() || d <= 0) throw std::invalid_argument(item);
      dims.push_back(d);
    } catch (const std::exception&) {
      return InvalidArgument("--input-shape '" + spec + "': '" + item +
                             "' is not a positive integer");
    }
  }
  if (dims.empty()) return InvalidArgument("--input-shape '" + spec + "': no dimensions");
  return dims;
}
}  // namespace

void AddCalibrationOptions(po::options_description& opts) {
  opts.add_options()("method", po::value<std::string>()->default_value("percentile"),
                     "range per activation: minmax | percentile | entropy | mse | auto")(
      "percentile", po::value<double>()->default_value(99.99, "99.99"), "for --method percentile")(
      "calib-limit", po::value<int64_t>()->default_value(1000),
      "calibration samples (the first N; 0 = all)");
}

Status ReadCalibrationOptions(const po::variables_map& vm, QuantizeOptions* o) {
  TQ_ASSIGN_OR_RETURN(o->method, ParseCalibrationMethod(vm["method"].as<std::string>()));
  o->percentile = vm["percentile"].as<double>();
  o->calib_limit = vm["calib-limit"].as<int64_t>();
  if (o->calib_limit < 0) return InvalidArgument("--calib-limit must be >= 0");
  return Status::Ok();
}

void AddReportOptions(po::options_description& opts) {
  opts.add_options()("report", po::value<std::string>(),
                     "write the report (JSON, format tinyq.report: docs/report_schema.md) here")(
      "json", "print the report as JSON");
}

int EmitReport(const po::variables_map& vm, const std::string& json, const std::string& text) {
  if (vm.count("report"))
    if (Status s = WriteFileAtomic(vm["report"].as<std::string>(), json + "\n"); !s.ok())
      return Fail(s);
  std::cout << (vm.count("json") ? json + "\n" : text);
  return 0;
}

int SaveModelAndReport(const po::variables_map& vm, const Graph& graph, const std::string& out,
                       const std::string& json, const std::string& text) {
  // The model and its report appear together or not at all.
  auto bytes = SerializeOnnx(graph);
  if (!bytes.ok()) return Fail(bytes.status());
  std::vector<std::pair<std::string, std::string>> files = {{out, std::move(*bytes)}};
  if (vm.count("report")) files.emplace_back(vm["report"].as<std::string>(), json + "\n");
  if (Status s = WriteFilesAtomic(files); !s.ok()) return Fail(s);
  std::cout << (vm.count("json") ? json + "\n" : text + "wrote " + out + "\n");
  return 0;
}

StatusOr<LoadOptions> ParseInputShapes(const std::vector<std::string>& specs) {
  LoadOptions o;
  for (const std::string& spec : specs) {
    const size_t eq = spec.find('=');
    const std::string name = eq == std::string::npos ? "" : spec.substr(0, eq);
    TQ_ASSIGN_OR_RETURN(Shape dims,
                        ParseDims(eq == std::string::npos ? spec : spec.substr(eq + 1), spec));
    o.input_shapes[name] = dims;
  }
  return o;
}

StatusOr<std::unique_ptr<Graph>> LoadModel(const std::string& path,
                                           const std::vector<std::string>& input_shapes) {
  TQ_ASSIGN_OR_RETURN(LoadOptions o, ParseInputShapes(input_shapes));
  return LoadOnnx(path, o);
}

namespace {
double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Progress::Progress(std::string label)
    : label_(std::move(label)), tty_(::isatty(2) != 0), start_(Now()) {}

void Progress::Update(int64_t done, int64_t total) {
  if (total <= 0) return;
  const double frac = static_cast<double>(done) / static_cast<double>(total);
  const double elapsed = Now() - start_;
  const double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
  if (tty_) {
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r%s [%s%s] %3d%% %lld/%lld  ETA %.0fs ", label_.c_str(),
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(width - filled), '.').c_str(),
                 static_cast<int>(frac * 100), static_cast<long long>(done),
                 static_cast<long long>(total), eta);
  } else {
    const int decile = static_cast<int>(frac * 10);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "%s: %lld/%lld (%d%%), %.1fs elapsed, ETA %.0fs\n", label_.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total),
                 static_cast<int>(frac * 100), elapsed, eta);
  }
  std::fflush(stderr);
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (tty_) std::fprintf(stderr, "\n");
}

}  // namespace tinyq::cli
