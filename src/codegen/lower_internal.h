// src/codegen/lower_internal.h - what the per-op lowering files share.
#ifndef TINYQ_SRC_CODEGEN_LOWER_INTERNAL_H_
#define TINYQ_SRC_CODEGEN_LOWER_INTERNAL_H_

#include <map>
#include <string>
#include <vector>

#include "src/codegen/program.h"
#include "src/exec/int8_common.h"
#include "src/runtime/tq_common_f32.h"

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

// The storage order of a value of rank r: NCHW dims in storage order (channel-last moves dim 1
// to the end).
std::vector<int64_t> StorageOrder(size_t r, bool channel_last);

// Int8 ops (lower_int8.cc): Conv, Gemm, pools, LUT unary ops, Softmax; Add and Mul
// (lower_binary.cc).
Status LowerInt8Node(Lowering& l, const Node& node);
Status LowerBinaryS8(Lowering& l, const Node& node);
// Data movement (lower_misc.cc), then float-fallback nodes and Q/DQ borders.
Status LowerOtherNode(Lowering& l, const Node& node);
// Float-fallback nodes and Q/DQ borders (lower_float.cc): Unsupported naming the node for an op
// or configuration the runtime's float kernels do not cover.
Status LowerFloatNode(Lowering& l, const Node& node);
Status LowerBinaryF32(Lowering& l, const Node& node);
// Emits the transpose step between channel-last storage and NCHW order (to_nchw picks the way)
// of an s8 or f32 value.
int AddTransposeStep(Lowering& l, const Node* node, int from, int to, bool to_nchw);

// C initializers of runtime structs: tq_activation {min, max}, tq_clamp_f32 {flags, min, max}.
std::string ActLiteral(const tq_activation& a);
std::string ClampLiteral(const tq_clamp_f32& c);

}  // namespace codegen
}  // namespace tinyq

#endif  // TINYQ_SRC_CODEGEN_LOWER_INTERNAL_H_
