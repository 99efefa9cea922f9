// src/exec/fold.h - static shapes for every value, and constant folding at import.
#ifndef TINYQ_SRC_EXEC_FOLD_H_
#define TINYQ_SRC_EXEC_FOLD_H_

#include <cstdint>

#include "tinyq/ir.h"

namespace tinyq {

// Outputs larger than this (elements) are inferred but not folded, so a folded model never grows
// by more than 64 MB per value.
constexpr int64_t kMaxFoldElements = int64_t{16} << 20;

// Walks the nodes in topological order: infers each node's output shapes (InferNodeShapes), and
// when every present input is a constant (or the op is Shape, whose result depends only on the
// static input shape) evaluates the node with its float kernel, turns its outputs into constants
// and removes it. Shape subgraphs (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) thus fold
// away and Reshape & co. see constant shape inputs. Nodes without a float kernel, or whose kernel
// refuses to prepare, stay in the graph (the executor reports them). Afterwards removes dead
// values and returns Verify(graph). Errors: those of the shape rules (InvalidModel/Unsupported,
// naming the node) and of Verify.
Status InferShapesAndFold(Graph& graph);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_FOLD_H_
