// error_stats.h - per-tensor quantization error: a streaming accumulator that compares a
// reference (float) tensor with a test tensor (e.g. the dequantized int8 tensor of the same
// point of the network) over many batches, and text/JSON renderings of a per-layer report.
//
//   tinyq::quant::ErrorAccumulator acc("conv1_out");
//   for (each batch) TQ_RETURN_IF_ERROR(acc.Add(ref_tensor, dequantized_tensor));
//   TQ_ASSIGN_OR_RETURN(tinyq::quant::ErrorStats s, acc.Stats());
//   rows.push_back({"conv1_out", "Conv", /*order=*/3, s});
//   std::cout << tinyq::quant::ErrorStatsTable(rows);
//
// Definitions over all n elements seen (e = ref - test):
//   sqnr_db        10·log10(Σ ref² / Σ e²). Σ e² = 0 (exact match, including all-zero ref) gives
//                  +inf; Σ ref² = 0 with Σ e² > 0 gives -inf. JSON has no infinity: see
//                  ErrorStatsJson.
//   cosine         Σ ref·test / (√Σ ref² · √Σ test²); 1 when both are all zeros, 0 when exactly
//                  one of them is.
//   max_abs_error  max |e|;  mean_abs_error  Σ |e| / n.
// Sums are accumulated in double. No graph dependency: the caller supplies the op name and the
// position of the tensor's producer in graph (topological) order.
#ifndef TINYQ_SRC_QUANT_ERROR_STATS_H_
#define TINYQ_SRC_QUANT_ERROR_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tinyq/status.h"
#include "tinyq/tensor.h"

namespace tinyq {
namespace quant {

// |sqnr_db| is written to JSON clamped to this value (float32 data cannot resolve more than
// ~150 dB, so the cap is never a real measurement); "exact" tells the exact-match case apart.
constexpr double kJsonSqnrCapDb = 200.0;

struct ErrorStats {
  int64_t count = 0;  // elements compared
  double sqnr_db = 0.0;
  double cosine = 0.0;
  double max_abs_error = 0.0;
  double mean_abs_error = 0.0;
};

// Streams (reference, test) pairs of one tensor. Memory is O(1) in the number of elements.
// Not thread-safe: one accumulator per thread, combined with Merge.
class ErrorAccumulator {
 public:
  explicit ErrorAccumulator(std::string name) : name_(std::move(name)) {}

  // Adds n element pairs (the pointers are only read during the call). InvalidArgument
  // "tensor '<name>': ..." for n < 0, null data with n > 0, or a NaN/infinite value (naming the
  // index and which side); the accumulator is then unchanged.
  Status Add(const float* ref, const float* test, int64_t n);
  // Same for two f32 tensors of equal shape (InvalidArgument naming both shapes/dtypes otherwise).
  Status Add(const Tensor& ref, const Tensor& test);
  // Adds the sums of `other` (e.g. from another thread); the result equals one accumulator that
  // saw both streams (up to double rounding).
  void Merge(const ErrorAccumulator& other);

  // The statistics so far; FailedPrecondition "tensor '<name>': no elements compared" if empty.
  StatusOr<ErrorStats> Stats() const;
  int64_t count() const { return count_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  int64_t count_ = 0;
  double sum_ref2_ = 0.0;
  double sum_test2_ = 0.0;
  double sum_dot_ = 0.0;
  double sum_err2_ = 0.0;
  double sum_abs_err_ = 0.0;
  double max_abs_err_ = 0.0;
};

// One line of a per-layer report.
struct ErrorReportRow {
  std::string tensor;  // value name
  std::string op;      // producer op ("Conv"), or "input" for a graph input
  int64_t order = 0;   // position of the producer in graph order; rows are sorted by it
  ErrorStats stats;
};

// Fixed-width text table, rows sorted by `order` (stable). The name and op columns are as wide as
// their longest entry (at least the header); numbers are right-aligned:
//   tensor     op      elements    sqnr_db     cosine   max_abs_err  mean_abs_err
//   conv1_out  Conv           4      14.77   0.993999             1          0.25
//   relu_out   Relu           2        inf   1.000000             0             0
// sqnr_db prints "inf" / "-inf" for the infinite cases. One line per row, each ending in '\n'.
std::string ErrorStatsTable(std::vector<ErrorReportRow> rows);

// JSON (format "tinyq.error_stats", version 1), rows sorted by `order`, pretty-printed:
//   {"format": "tinyq.error_stats", "version": 1, "tensors": [
//     {"tensor": "conv1_out", "op": "Conv", "order": 3, "count": 4, "sqnr_db": 14.77,
//      "exact": false, "cosine": 0.99, "max_abs_error": 1.0, "mean_abs_error": 0.25}, ...]}
// sqnr_db is clamped to [-kJsonSqnrCapDb, kJsonSqnrCapDb] (JSON has no infinity); "exact" is true
// iff max_abs_error == 0.
std::string ErrorStatsJson(std::vector<ErrorReportRow> rows);

}  // namespace quant
}  // namespace tinyq

#endif  // TINYQ_SRC_QUANT_ERROR_STATS_H_
