// passes/graph_edit.h - graph surgery shared by the passes.
#ifndef TINYQ_PASSES_GRAPH_EDIT_H_
#define TINYQ_PASSES_GRAPH_EDIT_H_

#include <string>
#include <vector>

#include "tinyq/ir.h"

namespace tinyq {

// True if `value` is one of the graph's outputs / inputs.
bool IsGraphOutput(const Graph& graph, const Value* value);
bool IsGraphInput(const Graph& graph, const Value* value);

// True if nothing reads `value`: no node input and not a graph output.
bool IsUnused(const Graph& graph, const Value* value);

// The single node reading `value` when it has exactly one use and is not a graph output, else
// nullptr. Fusions require this: the fused-away intermediate must not be observable elsewhere.
Node* SoleConsumer(const Graph& graph, const Value* value);

// Makes `producer` write `to` instead of its output `from`, where `to` has no producer (e.g. the
// output of a node just removed). The Graph API cannot retarget an output slot, so the producer is
// re-created with the same op, name, inputs and attributes; returns the new node (`producer` is
// dangling afterwards). `from` keeps its uses (callers rewire or remove it).
Node* RebindOutput(Graph& graph, Node* producer, Value* from, Value* to);

// Removes `value` if it has no producer, no uses and is not a graph input or output.
void RemoveIfUnused(Graph& graph, Value* value);

// A new f32 constant named after `prefix` (made unique).
Value* AddF32Constant(Graph& graph, const std::string& prefix, Shape shape,
                      const std::vector<float>& data);

}  // namespace tinyq

#endif  // TINYQ_PASSES_GRAPH_EDIT_H_
