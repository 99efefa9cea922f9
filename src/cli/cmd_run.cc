// tinyq run MODEL --input NAME=FILE.npy ... --out DIR
#include <sys/stat.h>

#include <iostream>

#include "src/cli/cli.h"
#include "tinyq/quantize.h"
#include "tinyq/data.h"

namespace tinyq::cli {

namespace {
// Output names may contain characters that are not safe in file names ("/", ":").
std::string FileNameFor(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) c = '_';
  if (s.empty() || s[0] == '.') s = "_" + s;
  return s;
}
}  // namespace

int RunMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("model", po::value<std::string>()->required(), "ONNX model")(
      "input,i", po::value<std::vector<std::string>>()->composing()->required(),
      "NAME=FILE.npy for each model input (leading dim may be a multiple of the batch)")(
      "out,o", po::value<std::string>()->required(), "folder for the outputs (<name>.npy)")(
      "input-shape", po::value<std::vector<std::string>>()->composing(),
      "fix an input's shape: NAME=1,3,64,64")(
      "threads", po::value<int>()->default_value(1), "worker threads for batched inputs")(
      "int8", "require the int8 executor (a quantized model; float .npy inputs are quantized with "
              "the input's scale/zero point)")(
      "dequantize", "write int8 outputs dequantized to float32 (default: as stored)");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (int rc = ParseArgs("run", "MODEL --input NAME=FILE.npy ... --out DIR", args, opts, pos, &vm);
      rc >= 0)
    return rc;
  auto shapes = vm.count("input-shape") ? vm["input-shape"].as<std::vector<std::string>>()
                                        : std::vector<std::string>{};
  auto graph = LoadModel(vm["model"].as<std::string>(), shapes);
  if (!graph.ok()) return Fail(graph.status());
  TensorMap feeds;
  for (const std::string& spec : vm["input"].as<std::vector<std::string>>()) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      const auto& in = (*graph)->inputs();
      if (eq == std::string::npos && in.size() == 1) {
        auto t = ReadNpy(spec);
        if (!t.ok()) return Fail(t.status());
        feeds[in[0]->name()] = std::move(*t);
        continue;
      }
      return Fail(InvalidArgument("--input '" + spec + "': expected NAME=FILE.npy"));
    }
    auto t = ReadNpy(spec.substr(eq + 1));
    if (!t.ok()) return Fail(t.status());
    feeds[spec.substr(0, eq)] = std::move(*t);
  }
  ExecutorOptions eo;
  eo.threads = vm["threads"].as<int>();
  auto runnable = PrepareRunnable(**graph, vm.count("int8") != 0);
  if (!runnable.ok()) return Fail(runnable.status());
  eo.int8 = runnable->int8;
  auto exec = Executor::Create(*runnable->graph, eo);
  if (!exec.ok()) return Fail(exec.status());
  for (auto& [name, t] : feeds) {
    const Value* in = (*graph)->FindValue(name);
    if (!in) continue;  // RunBatch names the unknown input
    auto q = QuantizeForInput(*in, t);
    if (!q.ok()) return Fail(q.status());
    t = std::move(*q);
  }
  auto outs = (*exec)->RunBatch(feeds);
  if (!outs.ok()) return Fail(outs.status());
  const std::string dir = vm["out"].as<std::string>();
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Fail(IoError(dir + ": cannot create output folder: " + std::strerror(errno)));
  for (auto& [name, tensor] : *outs) {
    const Value* ov = (*graph)->FindValue(name);
    if (vm.count("dequantize") && ov) {
      auto f = DequantizeOutput(*ov, tensor);
      if (!f.ok()) return Fail(f.status());
      tensor = std::move(*f);
    }
    const std::string path = dir + "/" + FileNameFor(name) + ".npy";
    if (Status s = WriteNpy(path, tensor); !s.ok()) return Fail(s);
    std::cout << name << " " << DTypeName(tensor.dtype()) << ShapeToString(tensor.shape()) << " -> "
              << path << "\n";
  }
  return 0;
}

}  // namespace tinyq::cli
