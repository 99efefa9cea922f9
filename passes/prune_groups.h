// passes/prune_groups.h - channel dependency groups for structured (channel) pruning.
//
// A channel group is a set of output channels that must be removed together: the output channels
// of one Conv (group = 1) or Gemm, or of several such producers whose outputs meet in an
// elementwise Add/Mul/... (a residual connection), where channel i of every producer is the same
// channel of the sum. AnalyzeChannels walks the graph once and records, for every value whose
// dim 1 carries such channels, which (group, index) each of its channels is:
//
//   conv_a --(A,0..7)--> relu --(A,0..7)--+--> Add --(A,0..7)--> conv_c (reads A: slice W[:, i])
//   conv_b --(B,0..7)--> bn ---(B,0..7)---+    (A and B merged into one group)
//   concat(x:(A,0..7), y:(C,0..3)) --> [(A,0..7),(C,0..3)]          (offsets follow the atoms)
//   depthwise conv (group = C, multiplier 1): output channel i is its input channel i
//
// Channels flow unchanged through BatchNormalization (its parameters are sliced), unary
// elementwise ops, pooling, Flatten of [N, C, 1, 1] and elementwise ops with a scalar constant.
// A group is frozen (never pruned) when any of its channels reaches a graph output, an op not
// listed above, a grouped (non-depthwise) Conv, or an elementwise op whose operands do not line up
// channel for channel. So the final classifier's outputs are never pruned.
#ifndef TINYQ_PASSES_PRUNE_GROUPS_H_
#define TINYQ_PASSES_PRUNE_GROUPS_H_

#include <map>
#include <string>
#include <vector>

#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {

// Channel `index` of group `group`.
struct ChannelAtom {
  int group = 0;
  int index = 0;
};

struct ChannelGroup {
  int size = 0;                  // channels
  std::vector<Node*> producers;  // Conv/Gemm nodes whose output channels these are (graph order)
  bool frozen = false;
  std::string frozen_reason;  // why (first reason found)
  std::string name() const;   // the first producer's name
};

struct ChannelAnalysis {
  std::vector<ChannelGroup> groups;
  // Every value whose dim 1 carries group channels: one atom per channel (its dim-1 size).
  std::map<const Value*, std::vector<ChannelAtom>> channels;
  // Groups that can be pruned.
  std::vector<int> Prunable() const;
};

// Builds the groups of a float graph with known shapes. Never fails on a valid graph: anything it
// does not understand freezes the groups involved.
ChannelAnalysis AnalyzeChannels(const Graph& graph);

// Per group: keep[i] = channel i survives. Groups not in the map keep all channels.
using ChannelKeep = std::map<int, std::vector<bool>>;

// Removes the channels not kept: slices the producers' output channels (W, bias), the consumers'
// input channels (Conv W[:, i], Gemm B rows/columns), BatchNormalization parameters and depthwise
// Conv weights (and its `group`), then re-infers every shape. Each sliced constant becomes a new
// value (originals may be shared); unused originals are dropped. `analysis` must come from
// AnalyzeChannels on this graph. Errors: InvalidArgument if a group keeps no channel or a mask has
// the wrong size; shape inference errors.
Status RemoveChannels(Graph& graph, const ChannelAnalysis& analysis, const ChannelKeep& keep);

// Copy of `t` keeping the indices i of `axis` with keep[i] (keep.size() == t.dim(axis)).
Tensor SliceAxis(const Tensor& t, int axis, const std::vector<bool>& keep);

}  // namespace tinyq

#endif  // TINYQ_PASSES_PRUNE_GROUPS_H_
