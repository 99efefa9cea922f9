// src/codegen/lower_internal.h - what the per-op lowering files share.
#ifndef TINYQ_SRC_CODEGEN_LOWER_INTERNAL_H_
#define TINYQ_SRC_CODEGEN_LOWER_INTERNAL_H_

#include <map>
#include <string>
#include <vector>

#include "src/codegen/program.h"
#include "src/exec/int8_common.h"

namespace tinyq {
namespace codegen {

class Lowering {
 public:
  Lowering(const Graph& g, Program* p) : g(g), p(*p) {}
  const Graph& g;
  Program& p;
  std::map<const Value*, int> id;  // IR value -> program value

  // The program value of an IR value; InvalidModel if it has not been produced yet.
  StatusOr<int> In(const Node& node, int i);
  // A new program value for output `i` of `node` (caller memory when it is the graph output and
  // its storage is the model's layout). `channel_last` applies to rank >= 3.
  int Out(const Node& node, int i, bool channel_last);
  // Appends a step; returns it for the caller to fill.
  CgStep& AddStep(const Node* node, std::vector<int> reads, std::vector<int> writes, EmitFn emit);
  const CgValue& V(int v) const { return p.values[static_cast<size_t>(v)]; }
};

// True when storing `shape` channel-last gives the same byte order as NCHW (rank <= 2, C == 1,
// or a single pixel).
bool ChannelLastIsTrivial(const Shape& shape);
// [N,C,H,W] / [N,C,L] -> the NHWC extents {n, h, w, c} of the channel-last storage.
void NhwcExtents(const Shape& shape, int64_t out[4]);

// Int8 ops (lower_int8.cc): Conv, Gemm, Add, Mul, pools, LUT unary ops, Softmax.
Status LowerInt8Node(Lowering& l, const Node& node);
// Data movement, float fallback and Q/DQ borders (lower_misc.cc).
Status LowerOtherNode(Lowering& l, const Node& node);
// Emits the transpose step between channel-last storage and NCHW order (to_nchw picks the way).
int AddTransposeStep(Lowering& l, const Node* node, int from, int to, bool to_nchw);

}  // namespace codegen
}  // namespace tinyq

#endif  // TINYQ_SRC_CODEGEN_LOWER_INTERNAL_H_
