// tinyq inspect MODEL [--json] [--input-shape ...]
#include <iostream>

#include "src/cli/cli.h"

namespace tinyq::cli {

int InspectMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("model", po::value<std::string>()->required(), "ONNX model")(
      "json", "print JSON instead of a table")(
      "input-shape", po::value<std::vector<std::string>>()->composing(),
      "fix an input's shape: NAME=1,3,64,64 (or 1,3,64,64 for the only input)")(
      "graph", "also print the IR graph");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (int rc = ParseArgs("inspect", "MODEL [--json]", args, opts, pos, &vm); rc >= 0) return rc;
  auto shapes = vm.count("input-shape") ? vm["input-shape"].as<std::vector<std::string>>()
                                        : std::vector<std::string>{};
  auto graph = LoadModel(vm["model"].as<std::string>(), shapes);
  if (!graph.ok()) return Fail(graph.status());
  ModelSummary s = Summarize(**graph);
  if (vm.count("json")) {
    std::cout << SummaryToJson(s) << "\n";
  } else {
    std::cout << SummaryToText(s);
    if (vm.count("graph")) std::cout << "\n" << PrintGraph(**graph);
  }
  return 0;
}

}  // namespace tinyq::cli
