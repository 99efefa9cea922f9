// src/api/prune_internal.h - the pieces of the prune pipeline (src/api/prune*.cc).
#ifndef TINYQ_SRC_API_PRUNE_INTERNAL_H_
#define TINYQ_SRC_API_PRUNE_INTERNAL_H_

#include <map>
#include <string>
#include <vector>

#include "passes/prune_channels.h"
#include "tinyq/prune.h"

namespace tinyq {

// Mean |activation| per channel (dim 1) of every f32 value of rank >= 2, over the samples of
// `batch` (preprocessed model inputs [N, ...]) run through `graph` on the float executor.
StatusOr<std::map<std::string, std::vector<double>>> ActivationChannelMeans(const Graph& graph,
                                                                            const Tensor& batch,
                                                                            int threads);

// The metric of `graph` on the first `limit` samples of the validation set (0 = all).
StatusOr<double> ValidationMetric(const Graph& graph, const PruneOptions& o, int64_t limit);

// The sensitivity scan: for every prunable group alone, the validation metric after removing
// each of o.scan_ratios of its channels (chosen by `channels`' criterion, no recovery).
StatusOr<std::vector<ScanRow>> SensitivityScan(const Graph& graph,
                                               const PruneChannelsOptions& channels,
                                               const PruneOptions& o);

// Recovery by distillation: trains `pruned` in place with `original` as the teacher on o.train
// (o.train_options). `kept_channels`: for every value whose channels were pruned, the original
// channels it kept (feature losses on it compare those teacher channels).
StatusOr<TrainReport> DistillRecovery(
    const Graph& original, Graph& pruned,
    const std::map<std::string, std::vector<int64_t>>& kept_channels, const PruneOptions& o);

// Dense and tq_sparse bytes of the int8 weights (per-channel symmetric quantization, as
// quantize_int8 does) of every Conv/Gemm/MatMul with constant f32 weights.
std::vector<SparseLayerBytes> SparseWeightBytes(const Graph& graph);

}  // namespace tinyq

#endif  // TINYQ_SRC_API_PRUNE_INTERNAL_H_
