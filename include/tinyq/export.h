// tinyq/export.h - C99 code generation for quantized models and the memory planner behind it.
//
// `tinyq export MODEL --format c -o DIR`, `tinyq.export(...)` and `tinyq budget` all call ExportC.
//
//   tinyq::ExportOptions o;
//   o.name = "kws";
//   TQ_ASSIGN_OR_RETURN(tinyq::ExportResult r, tinyq::ExportC(*quantized_graph, o, "out/kws"));
//   // out/kws/kws.h, kws.c, kws_weights.c, tq_*.c/.h;  r.arena_bytes == r.lower_bound_bytes
//
// The generated API (docs/codegen.md):
//   tq_status kws_invoke(const int8_t* input, int8_t* output, uint8_t* arena);
//   #define KWS_ARENA_SIZE ...   KWS_INPUT_SIZE ...   KWS_OUTPUT_SIZE ...
// Input and output are in the model's own (ONNX, NCHW) layout; the arena is caller-owned,
// KWS_ARENA_SIZE bytes, 4-byte aligned. No malloc, no writable globals.
// With ExportOptions::weights_blob the constants go to kws_weights.bin instead of kws_weights.c
// and the API is kws_invoke(blob, blob_size, input, output, arena), checking the blob first.
#ifndef TINYQ_EXPORT_H_
#define TINYQ_EXPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {

// One buffer of the arena plan: an activation (or kernel scratch) with its lifetime in steps of
// the chosen execution order, [first_step, last_step] inclusive.
struct PlannedBuffer {
  std::string name;   // value name (scratch buffers: "<node>.scratch")
  int64_t bytes = 0;  // size in bytes (int8: elements; float fallback: elements * 4)
  int first_step = 0;
  int last_step = 0;
  int64_t offset = 0;    // byte offset in the arena
  std::string alias_of;  // other values sharing this buffer (views, in-place outputs), ", "-joined
};

// Per-layer figures in execution order (used by `tinyq budget`).
struct LayerFootprint {
  std::string node;
  std::string op;
  int64_t macs = 0;
  int64_t weight_bytes = 0;  // bytes of its constants as emitted (int8 weights, int32 bias, LUTs)
  int64_t activation_bytes = 0;  // bytes of its live buffers while it runs
};

// The memory plan of a quantized graph.
struct MemoryPlanSummary {
  int64_t arena_bytes = 0;         // the planned arena (what NAME_ARENA_SIZE says)
  int64_t lower_bound_bytes = 0;   // max over steps of the sum of live buffer sizes (chosen order)
  int64_t greedy_bytes = 0;        // arena of a size-ordered greedy first-fit planner (TFLM's)
  std::vector<std::string> order;  // node names in the chosen execution order
  std::vector<PlannedBuffer> buffers;
};

struct ExportOptions {
  std::string name = "model";  // C identifier prefix; [A-Za-z_][A-Za-z0-9_]*
  std::string model_path;      // for the provenance line (sha256 of this file); may be empty
  bool reorder = true;         // operator reordering for branching graphs
  // Over-the-air updates (docs/codegen.md): the constants go to NAME_weights.bin, a blob with a
  // header bound to the model (sha256 of model_path's file, else of the serialized quantized
  // graph), instead of NAME_weights.c; NAME_invoke(blob, blob_size, input, output, arena) checks
  // it before use.
  bool weights_blob = false;
};

struct ExportResult {
  std::vector<std::string> files;  // paths written (header, source, weights, runtime copies)
  int64_t arena_bytes = 0;         // the plan; NAME_ARENA_SIZE is max(arena_bytes, 4)
  int64_t lower_bound_bytes = 0;
  int64_t greedy_bytes = 0;
  int64_t weight_bytes = 0;  // bytes of all const arrays emitted (flash)
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;
  bool weights_blob = false;  // NAME_weights.bin written (ExportOptions::weights_blob)
  int64_t blob_bytes = 0;     // its size: 64-byte header + payload (0 without a blob)
  std::string model_sha256;   // blob mode: the sha256 (hex) the blob and the code are bound to
  std::vector<std::string> float_layers;   // nodes run in float32 (the runtime's tq_*_f32 kernels)
  std::vector<std::string> sparse_layers;  // nodes whose weights are emitted in tq_sparse format
  MemoryPlanSummary plan;
  std::vector<LayerFootprint> layers;
};

// OK when `name` can prefix C symbols and file names: [A-Za-z_][A-Za-z0-9_]*, at most 48
// characters, not starting with tq_ (so it never holds a path separator or ".."); else
// InvalidArgument naming --name. ExportC and Shrink check it before writing anything.
Status CheckExportName(const std::string& name);

// The largest arena ExportC emits: 2 GiB (a microcontroller addresses far less; the offsets in
// the generated C are 32-bit). A larger plan is Unsupported naming its size.
constexpr int64_t kMaxArenaBytes = int64_t{1} << 31;

// Plans the arena of a quantized graph (QOp form) without writing anything.
// Unsupported naming the node for ops codegen cannot emit.
StatusOr<MemoryPlanSummary> PlanMemory(const Graph& quantized, const ExportOptions& options);

// Emits C99 for a quantized graph (QOp form, docs/quantized_ir.md) into `dir` (created; written
// into a temp dir then renamed, so a failed export leaves nothing). Errors: FailedPrecondition for
// a float graph, Unsupported naming the node for ops/float-fallback layers codegen cannot emit,
// InvalidArgument for a bad name, IoError for the directory.
StatusOr<ExportResult> ExportC(const Graph& quantized, const ExportOptions& options,
                               const std::string& dir);

// What `tinyq export` and `tinyq.export()` do: load `model_path`; a quantized model (QDQ ONNX,
// folded on load) is exported as it is; a float model is first quantized with default settings on
// `calib_path` (preprocessing from `card_path` if given, the first `calib_limit` samples), and
// without `calib_path` it is FailedPrecondition saying so.
struct ExportModelOptions {
  ExportOptions c;
  std::string calib_path;
  std::string card_path;
  int64_t calib_limit = 1000;
};
StatusOr<ExportResult> ExportModelC(const std::string& model_path, const std::string& dir,
                                    const ExportModelOptions& options);

// The "export" section of the report (tinyq/report.h: ExportReportJson).
std::string ExportResultToJson(const ExportResult& r);

}  // namespace tinyq

#endif  // TINYQ_EXPORT_H_
