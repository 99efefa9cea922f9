// tinyq targets [--json] [--profile P.json]: the built-in board profiles (or a validated user one).
#include <iostream>

#include "src/cli/cli.h"
#include "tinyq/target.h"

namespace tinyq::cli {

int TargetsMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("json", "print JSON instead of a table")(
      "profile", po::value<std::string>(), "validate and show a JSON board profile instead");
  po::positional_options_description pos;
  po::variables_map vm;
  if (int rc = ParseArgs("targets", "[--json] [--profile P.json]", args, opts, pos, &vm); rc >= 0) {
    return rc;
  }
  std::vector<BoardProfile> boards = BuiltinBoards();
  if (vm.count("profile")) {
    auto b = LoadBoardProfile(vm["profile"].as<std::string>());
    if (!b.ok()) return Fail(b.status());
    boards = {*b};
  }
  std::cout << (vm.count("json") ? BoardsToJson(boards) + "\n" : BoardsToText(boards));
  return 0;
}

}  // namespace tinyq::cli
