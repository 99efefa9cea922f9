// src/codegen/program.h - a quantized graph lowered to C: values with their storage layout, steps
// that emit C statements, and the const arrays (weights, biases, multipliers, tables) they use.
//
// Layout: values of rank >= 3 are stored channel-last (an [N,C,H,W] value as [N,H,W,C]; [N,C,L]
// as [N,L,C]), what the runtime kernels expect; values of rank <= 2 are stored as they are. A
// 2-D value may be "channel-last flattened" (Flatten of a channel-last value, read only by Gemm,
// whose weight columns are then permuted at export). Graph input and output are caller memory in
// the model's own layout; when that differs from the storage layout an entry/exit step
// transposes it into/out of the arena.
#ifndef TINYQ_SRC_CODEGEN_PROGRAM_H_
#define TINYQ_SRC_CODEGEN_PROGRAM_H_

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "src/planner/schedule.h"
#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {
namespace codegen {

struct CgValue {
  std::string name;
  DType dtype = DType::kS8;   // kS8 or kF32
  Shape shape;                // the IR (NCHW) shape
  bool channel_last = false;  // stored [N,H,W,C]
  int64_t flat_c = 0;  // > 0: 2-D value holding a channel-last [N,H,W,C] flattened, C = flat_c
  const char* external = nullptr;  // "input" / "output" for caller memory
  int64_t bytes() const { return NumElements(shape) * static_cast<int64_t>(DTypeSize(dtype)); }
};

// C pointer expressions for the values a step reads/writes and its scratch ("NULL" if none).
struct StepPointers {
  std::vector<std::string> reads;
  std::vector<std::string> writes;
  std::string scratch;
};
using EmitFn = std::function<std::string(const StepPointers&)>;

struct CgStep {
  std::string node;  // IR node name ("" for entry/exit transposes)
  std::string op;
  std::vector<int> reads, writes;
  int64_t scratch_bytes = 0;
  int alias_input = -1;
  int inplace_input = -1;
  EmitFn emit;
  int64_t macs = 0;
  int64_t weight_bytes = 0;
};

// The const arrays of the generated NAME_weights.c, and the same data as the payload of a
// weights blob (--weights-blob): each array's little-endian bytes at a 4-byte-aligned offset.
class ConstArrays {
 public:
  explicit ConstArrays(std::string prefix) : prefix_(std::move(prefix)) {}
  // Each returns the C symbol of a new array.
  std::string AddS8(const std::vector<int8_t>& v);
  std::string AddU8(const std::vector<uint8_t>& v);
  std::string AddS32(const std::vector<int32_t>& v);
  std::string AddF32(const std::vector<float>& v);
  std::string Declarations() const;  // extern declarations
  std::string Definitions() const;   // the arrays
  // Blob mode: each symbol as a macro over the payload pointer `tq_w` (a local of NAME_invoke),
  // `#define SYM ((const T*)(const void*)(tq_w + OFFSET))`.
  std::string BlobDeclarations() const;
  const std::string& payload() const { return payload_; }  // the blob payload bytes
  int64_t bytes() const { return bytes_; }

 private:
  std::string Add(const char* ctype, size_t count, size_t elem_bytes, std::string body,
                  const std::string& raw);
  std::string prefix_;
  std::string decls_, defs_, blob_decls_;
  std::string payload_;
  int64_t bytes_ = 0;
  int count_ = 0;
};

struct Program {
  explicit Program(const std::string& name) : consts(name) {}
  std::vector<CgValue> values;
  std::vector<CgStep> steps;
  ConstArrays consts;
  std::set<std::string> helpers;           // static C helper functions the steps call (emit_c.cc)
  std::vector<std::string> float_layers;   // nodes run by the runtime's float kernels
  std::vector<std::string> sparse_layers;  // nodes with tq_sparse-encoded weights
  int input = -1;                          // external input value
  int output = -1;                         // external output value
  float input_scale = 1.0f, output_scale = 1.0f;
  int32_t input_zero_point = 0, output_zero_point = 0;
};

// Lowers a quantized graph (QOp form). FailedPrecondition for a float graph; Unsupported naming
// the node for anything the generated code cannot do.
StatusOr<Program> Lower(const Graph& graph, const std::string& name);

// Planner view of the program.
void ToPlannerProgram(const Program& p, std::vector<planner::ProgramValue>* values,
                      std::vector<planner::ProgramStep>* steps);

// C literal helpers.
std::string FloatLiteral(float v);  // exact hexadecimal float, e.g. 0x1.8p-3f
std::string DimsLiteral(int64_t n, int64_t h, int64_t w, int64_t c);

}  // namespace codegen
}  // namespace tinyq

#endif  // TINYQ_SRC_CODEGEN_PROGRAM_H_
