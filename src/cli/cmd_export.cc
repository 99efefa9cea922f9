// tinyq export MODEL --format c -o DIR [--name NAME] [--calib D.npz [--card C]] [--weights-blob]
//        [--report R.json] [--json]
//        tinyq export MODEL --format onnx -o OUT.onnx
#include <iostream>
#include <sstream>

#include "src/cli/cli.h"
#include "tinyq/export.h"
#include "tinyq/report.h"

namespace tinyq::cli {

int ExportMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("model", po::value<std::string>()->required(),
                     "quantized model (tinyq's QDQ ONNX), or a float model with --calib")(
      "format", po::value<std::string>()->default_value("c"), "c | onnx")(
      "output,o", po::value<std::string>()->required(),
      "output directory (c) or file (onnx); replaced atomically")(
      "name", po::value<std::string>()->default_value("model"),
      "C identifier prefix: NAME.h, NAME.c, NAME_weights.c, NAME_invoke()")(
      "calib", po::value<std::string>(), "float model: quantize with defaults on this .npz first")(
      "card", po::value<std::string>(), "model card (preprocessing) for --calib")(
      "calib-limit", po::value<int64_t>()->default_value(1000),
      "calibration samples for --calib (0 = all)")(
      "no-reorder", "keep the graph's operator order (no reordering for a lower peak)")(
      "weights-blob",
      "over-the-air updates: constants in DIR/NAME_weights.bin (header with format version, "
      "model sha256, sizes, CRC-32s) instead of NAME_weights.c; NAME_invoke(blob, blob_size, "
      "input, output, arena) checks the blob before use");
  AddReportOptions(opts);
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (int rc = ParseArgs("export",
                         "MODEL --format c -o DIR [--name NAME] [--calib D.npz [--card C]] "
                         "[--weights-blob] [--report R.json] [--json]\n\nC output: DIR/NAME.h "
                         "(API, size macros, I/O "
                         "scales), DIR/NAME.c (invoke), DIR/NAME_weights.c (const data;\n"
                         "DIR/NAME_weights.bin with --weights-blob) and the C99 runtime "
                         "(DIR/tq_*.c/.h). See docs/codegen.md.",
                         args, opts, pos, &vm);
      rc >= 0)
    return rc;
  const std::string model = vm["model"].as<std::string>();
  const std::string out = vm["output"].as<std::string>();
  const std::string format = vm["format"].as<std::string>();
  if (format == "onnx") {
    if (vm.count("report") || vm.count("json"))
      return Fail(InvalidArgument("--report/--json need --format c (an ONNX copy has no report)"));
    auto g = LoadModel(model, {});
    if (!g.ok()) return Fail(g.status());
    if (Status s = SaveOnnx(**g, out); !s.ok()) return Fail(s);
    std::cout << "wrote " << out << "\n";
    return 0;
  }
  if (format != "c")
    return Fail(InvalidArgument("--format must be c or onnx, got '" + format + "'"));
  ExportModelOptions o;
  o.c.name = vm["name"].as<std::string>();
  o.c.reorder = vm.count("no-reorder") == 0;
  o.c.weights_blob = vm.count("weights-blob") > 0;
  if (vm.count("calib")) o.calib_path = vm["calib"].as<std::string>();
  if (vm.count("card")) o.card_path = vm["card"].as<std::string>();
  o.calib_limit = vm["calib-limit"].as<int64_t>();
  if (o.calib_limit < 0) return Fail(InvalidArgument("--calib-limit must be >= 0"));
  auto r = ExportModelC(model, out, o);
  if (!r.ok()) return Fail(r.status());
  std::ostringstream text;
  text << "arena " << r->arena_bytes << " B (live-set lower bound " << r->lower_bound_bytes
       << " B, size-ordered greedy " << r->greedy_bytes << " B), const data " << r->weight_bytes
       << " B, input " << r->input_bytes << " B, output " << r->output_bytes << " B\n";
  if (r->weights_blob)
    text << "weights blob " << out << "/" << o.c.name << "_weights.bin: " << r->blob_bytes
         << " B, bound to model sha256 " << r->model_sha256 << "\n";
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& n : v) s += (s.empty() ? "" : ", ") + n;
    return s;
  };
  if (!r->float_layers.empty())
    text << "float-fallback layers (float32 runtime kernels): " << list(r->float_layers) << "\n";
  if (!r->sparse_layers.empty())
    text << "sparse weights (tq_sparse bitmap format): " << list(r->sparse_layers) << "\n";
  text << "wrote " << r->files.size() << " files to " << out << "\n";
  return EmitReport(vm, ExportReportJson(*r, ReportModelOfFile(model)), text.str());
}

}  // namespace tinyq::cli
