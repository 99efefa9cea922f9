// passes/registry.h - the explicit table of passes: name, one-line help, factory.
//
// Adding a pass: write passes/<name>.cc (Before/After sketch and math on top), add one row to the
// table in registry.cc, and a test file under tests/passes/.
#ifndef TINYQ_PASSES_REGISTRY_H_
#define TINYQ_PASSES_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "passes/pass.h"

namespace tinyq {

struct PassRegistration {
  const char* name;                   // verb-first snake_case, equal to Pass::name()
  const char* help;                   // one line, for `tinyq ... --passes` listings
  std::unique_ptr<Pass> (*create)();  // the pass with its default configuration
};

// The table, in the order passes are listed.
const std::vector<PassRegistration>& PassTable();

// The pass registered as `name` (default configuration), or nullptr.
std::unique_ptr<Pass> CreatePass(const std::string& name);

// Runs one pass and checks Verify after it (Internal naming the pass when Verify fails).
Status RunPass(Graph& graph, Pass& pass, PassStats* stats);

}  // namespace tinyq

#endif  // TINYQ_PASSES_REGISTRY_H_
