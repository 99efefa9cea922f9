// Recovery of a pruned model by knowledge distillation from the unpruned one (`tinyq prune
// --recover distill`): Distill (src/train) with the original model as the teacher.
#include "src/api/prune_internal.h"

namespace tinyq {

StatusOr<TrainReport> DistillRecovery(
    const Graph& original, Graph& pruned,
    const std::map<std::string, std::vector<int64_t>>& kept_channels, const PruneOptions& o) {
  if (o.train == nullptr)
    return FailedPrecondition("--recover distill needs training data (--train TRAIN.npz)");
  TrainOptions to = o.train_options;
  to.preprocess = o.preprocess;
  to.keep_zeros = to.keep_zeros || o.sparsity > 0 || o.nm_n > 0;
  if (o.progress && !to.progress) {
    // One bar over all epochs: samples done so far out of epochs * samples per epoch.
    to.progress = [&o, epochs = to.epochs](int epoch, int64_t done, int64_t total, double) {
      o.progress("distill", (epoch - 1) * total + done, epochs * total);
    };
  }
  for (FeatureLoss& f : to.feature_losses) {
    auto it = kept_channels.find(f.teacher);
    if (f.teacher_channels.empty() && it != kept_channels.end()) f.teacher_channels = it->second;
  }
  return Distill(&pruned, &original, *o.train, o.train_path, nullptr, "", to);
}

}  // namespace tinyq
