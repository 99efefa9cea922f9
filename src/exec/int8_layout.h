// src/exec/int8_layout.h - which s8 activations the int8 executor stores channel-last.
//
// Before: every int8 Conv/pool node copies its NCHW input into an NHWC scratch tensor, runs the
// NHWC runtime kernel, and copies the result back to NCHW (two transposes per layer).
// After: a value between two such kernels keeps the runtime's layout. Its Tensor keeps the IR
// shape ([N,C,H,W] / [N,C,L]) and holds the bytes in channel-last order ([N,H,W,C] / [N,L,C]);
// only the kernels that produce and consume it know, and the executor converts it back to NCHW
// for an observer.
//
// Rule (a connected component of values, linked through elementwise nodes that do not care
// about the order of bytes: the lookup-table unary ops and Add/Mul whose inputs all have the
// output's shape):
//   channel-last  iff  every value is a non-constant s8 tensor of rank 3 or 4 whose channel-last
//                      order differs from NCHW (C > 1 and more than one pixel), none is a graph
//                      input or output, every producer and consumer is such an elementwise node
//                      or a kernel that reads/writes channel-last natively (Conv input 0 and
//                      output 0, MaxPool/AveragePool/GlobalMaxPool/GlobalAveragePool input 0 and
//                      output 0), and at least one of them is native.
// Values of other components stay NCHW; results are identical either way (data movement only).
#ifndef TINYQ_SRC_EXEC_INT8_LAYOUT_H_
#define TINYQ_SRC_EXEC_INT8_LAYOUT_H_

#include <unordered_set>
#include <vector>

#include "src/exec/kernel.h"
#include "src/exec/strided_copy.h"
#include "tinyq/ir.h"

namespace tinyq {

// The values of `graph` (nodes in execution order `order`) stored channel-last by the int8
// executor (see the file comment).
std::unordered_set<const Value*> PlanInt8ChannelLast(const Graph& graph,
                                                     const std::vector<const Node*>& order);

// The layouts of `node`'s inputs and outputs under `channel_last`.
Int8Layouts LayoutsOf(const Node& node, const std::unordered_set<const Value*>& channel_last);

// True when channel-last order of `shape` ([N,C,H,W] or [N,C,L]) differs from NCHW.
bool ChannelLastMatters(const Shape& shape);

// Copy plans between the NCHW and channel-last orders of an s8 tensor of rank 3 or 4.
StridedCopyPlan ToChannelLastPlan(const Shape& shape);
StridedCopyPlan FromChannelLastPlan(const Shape& shape);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_INT8_LAYOUT_H_
