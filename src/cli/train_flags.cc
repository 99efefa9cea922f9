// The training flags of `tinyq distill`, `tinyq train` and `tinyq prune --recover distill`.
#include "src/cli/cli.h"

namespace tinyq::cli {

void AddTrainingFlags(po::options_description& opts, bool distillation) {
  opts.add_options()("epochs", po::value<int>()->default_value(5), "passes over the training set")(
      "batch", po::value<int64_t>()->default_value(64), "mini-batch size")(
      "lr", po::value<float>()->default_value(0.002f, "0.002"), "learning rate")(
      "optimizer", po::value<std::string>()->default_value("adam"), "sgd (momentum) | adam")(
      "momentum", po::value<float>()->default_value(0.9f, "0.9"), "sgd momentum")(
      "weight-decay", po::value<float>()->default_value(0.0f, "0"), "L2 weight decay")(
      "schedule", po::value<std::string>()->default_value("cosine"),
      "learning rate schedule: cosine | constant")(
      "warmup", po::value<float>()->default_value(0.0f, "0"),
      "epochs (may be fractional) of linear learning-rate warm-up before the schedule")(
      "batch-norm", po::value<std::string>()->default_value("frozen"),
      "BatchNormalization while training: frozen (running statistics) | train (batch "
      "statistics, running statistics updated)")(
      "bn-recalibrate", po::value<int64_t>()->default_value(0),
      "re-estimate BatchNormalization statistics on the first N training samples before and "
      "after training (0 = off)")("augment-shift", po::value<int>()->default_value(0),
                                  "augmentation: random shift of image inputs by up to N pixels")(
      "augment-flip", "augmentation: random horizontal flip of image inputs")(
      "seed", po::value<uint64_t>()->default_value(1),
      "shuffling/augmentation seed (same seed = same weights)")(
      "limit", po::value<int64_t>()->default_value(0), "train on the first N samples (0 = all)");
  if (!distillation) return;
  opts.add_options()(
      "temperature", po::value<float>()->default_value(4.0f, "4"),
      "softmax temperature T (the report measures the teacher's soft-label entropy at T and "
      "warns when it is nearly uniform)")(
      "alpha", po::value<float>()->default_value(0.9f, "0.9"),
      "loss = (1-alpha) CE(labels) + alpha T^2 KL(teacher || student)")(
      "feature-loss", po::value<std::vector<std::string>>()->composing(),
      "TEACHER_TENSOR:STUDENT_TENSOR[:WEIGHT]: add WEIGHT (default 1) * mean squared "
      "difference of the two activations (repeatable)")(
      "teacher-cache", po::value<std::string>(),
      ".npz of the teacher's logits: read if it matches the data, else computed and written");
}

Status ReadTrainingFlags(const po::variables_map& vm, TrainOptions* o) {
  o->epochs = vm["epochs"].as<int>();
  o->batch = vm["batch"].as<int64_t>();
  o->lr = vm["lr"].as<float>();
  o->optimizer = vm["optimizer"].as<std::string>();
  o->momentum = vm["momentum"].as<float>();
  o->weight_decay = vm["weight-decay"].as<float>();
  o->schedule = vm["schedule"].as<std::string>();
  o->warmup = vm["warmup"].as<float>();
  o->batch_norm = vm["batch-norm"].as<std::string>();
  o->bn_recalibrate = vm["bn-recalibrate"].as<int64_t>();
  o->augment_shift = vm["augment-shift"].as<int>();
  o->augment_flip = vm.count("augment-flip") != 0;
  o->seed = vm["seed"].as<uint64_t>();
  o->limit = vm["limit"].as<int64_t>();
  if (vm.count("temperature")) o->temperature = vm["temperature"].as<float>();
  if (vm.count("alpha")) o->alpha = vm["alpha"].as<float>();
  if (vm.count("teacher-cache")) o->teacher_cache = vm["teacher-cache"].as<std::string>();
  if (vm.count("feature-loss"))
    for (const std::string& spec : vm["feature-loss"].as<std::vector<std::string>>()) {
      TQ_ASSIGN_OR_RETURN(FeatureLoss f, ParseFeatureLoss(spec));
      o->feature_losses.push_back(std::move(f));
    }
  return Status::Ok();
}

}  // namespace tinyq::cli
