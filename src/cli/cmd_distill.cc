// tinyq distill --teacher T.onnx --student S.onnx --data TRAIN.npz [--val VAL.npz] -o OUT.onnx
// and tinyq train S.onnx --data TRAIN.npz [--val VAL.npz] -o OUT.onnx (labels only).
#include <cstdio>
#include <iostream>

#include "src/cli/cli.h"
#include "tinyq/report.h"
#include "tinyq/train.h"

namespace tinyq::cli {
namespace {

void AddTrainOptions(po::options_description& opts, bool distillation) {
  opts.add_options()("student", po::value<std::string>()->required(),
                     "float ONNX model to train (its initializers are the starting weights)")(
      "data", po::value<std::string>()->required(), "training set: .npz with x and labels y")(
      "val", po::value<std::string>(), "validation set (x, y): scored each epoch, best kept")(
      "card", po::value<std::string>(), "model card (card.json): preprocessing")(
      "scale", po::value<float>(), "preprocess: input = ((x * scale) - mean) / std")(
      "mean", po::value<float>(), "preprocess mean")("std", po::value<float>(), "preprocess std")(
      "output,o", po::value<std::string>()->required(), "trained ONNX model")(
      "input-shape", po::value<std::vector<std::string>>()->composing(),
      "fix an input's shape: NAME=1,1,28,28");
  AddReportOptions(opts);
  AddTrainingFlags(opts, distillation);
}

Status ReadTrainOptions(const po::variables_map& vm, TrainOptions* o) {
  if (vm.count("card")) {
    TQ_ASSIGN_OR_RETURN(ModelCard card, ReadModelCard(vm["card"].as<std::string>()));
    o->preprocess = card.preprocess;
  }
  if (vm.count("scale")) o->preprocess.scale = vm["scale"].as<float>();
  if (vm.count("mean")) o->preprocess.mean = vm["mean"].as<float>();
  if (vm.count("std")) o->preprocess.std = vm["std"].as<float>();
  return ReadTrainingFlags(vm, o);
}

std::string TrainText(const TrainReport& r) {
  const bool val = r.best_val_top1 >= 0;  // -1 without --val
  std::string s = "epoch  train_loss  val_top1  seconds\n";
  char line[160];
  for (const EpochReport& e : r.epochs) {
    char top1[32] = "-";
    if (val) std::snprintf(top1, sizeof(top1), "%.2f", e.val_top1);
    std::snprintf(line, sizeof(line), "%5d  %10.4f  %8s  %7.1f\n", e.epoch, e.train_loss, top1,
                  e.seconds);
    s += line;
  }
  if (val)
    std::snprintf(line, sizeof(line), "kept epoch %d (val top1 %.2f%%)", r.best_epoch,
                  r.best_val_top1);
  else
    std::snprintf(line, sizeof(line), "kept epoch %d (the last; no --val)", r.best_epoch);
  s += line;
  std::snprintf(line, sizeof(line), "; %.0f samples/s; %lld params\n", r.samples_per_second,
                static_cast<long long>(r.trained_params));
  s += line;
  s += r.TeacherText();
  return s;
}

// Shared by both verbs once the options are parsed.
int RunTraining(const po::variables_map& vm, const TrainOptions& base, bool with_teacher) {
  TrainOptions o = base;
  if (Status s = ReadTrainOptions(vm, &o); !s.ok()) return Fail(s);
  const std::vector<std::string> shapes = vm.count("input-shape")
                                              ? vm["input-shape"].as<std::vector<std::string>>()
                                              : std::vector<std::string>{};
  const std::string student_path = vm["student"].as<std::string>();
  auto student = LoadModel(student_path, shapes);
  if (!student.ok()) return Fail(student.status());
  std::unique_ptr<Graph> teacher;
  if (with_teacher && !o.labels_only) {
    auto t = LoadModel(vm["teacher"].as<std::string>(), shapes);
    if (!t.ok()) return Fail(t.status());
    teacher = std::move(*t);
  }
  const std::string data_path = vm["data"].as<std::string>();
  auto train = ReadDataset(data_path);
  if (!train.ok()) return Fail(train.status());
  StatusOr<Dataset> val = InvalidArgument("");
  std::string val_path;
  if (vm.count("val")) {
    val_path = vm["val"].as<std::string>();
    val = ReadDataset(val_path);
    if (!val.ok()) return Fail(val.status());
  }
  std::unique_ptr<Progress> progress;
  int shown_epoch = 0;
  o.progress = [&](int epoch, int64_t done, int64_t total, double) {
    if (epoch != shown_epoch) {
      if (progress) progress->Finish();
      progress = std::make_unique<Progress>("epoch " + std::to_string(epoch) + "/" +
                                            std::to_string(o.epochs));
      shown_epoch = epoch;
    }
    progress->Update(done, total);
  };
  o.warn = [&](const std::string& w) {
    std::cerr << "tinyq " << (with_teacher ? "distill" : "train") << ": warning: " << w << "\n";
  };
  auto r = Distill(student->get(), teacher.get(), *train, data_path, val.ok() ? &*val : nullptr,
                   val_path, o);
  if (progress) progress->Finish();
  if (!r.ok()) return Fail(r.status());
  const std::string json =
      DistillReportJson(*r, with_teacher ? "distill" : "train", ReportModelOfFile(student_path),
                        val.ok() ? val->x.dim(0) : 0);
  return SaveModelAndReport(vm, **student, vm["output"].as<std::string>(), json, TrainText(*r));
}

}  // namespace

int DistillMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("teacher", po::value<std::string>(), "float ONNX teacher model")(
      "labels-only", "ignore the teacher: plain cross-entropy training");
  AddTrainOptions(opts, true);
  po::positional_options_description pos;
  po::variables_map vm;
  if (int rc = ParseArgs("distill",
                         "--teacher T.onnx --student S.onnx --data TRAIN.npz [--val VAL.npz] "
                         "[--card C] [--epochs N --batch B --temperature T --alpha A --lr LR "
                         "--optimizer sgd|adam --warmup E --batch-norm frozen|train "
                         "--augment-shift P --augment-flip --feature-loss T:S[:W] --seed S "
                         "--labels-only] -o OUT.onnx [--report R.json]",
                         args, opts, pos, &vm);
      rc >= 0)
    return rc;
  TrainOptions o;
  o.labels_only = vm.count("labels-only") != 0;
  if (!o.labels_only && !vm.count("teacher"))
    return Fail(InvalidArgument("--teacher is required unless --labels-only"));
  return RunTraining(vm, o, true);
}

int TrainMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  AddTrainOptions(opts, false);
  po::positional_options_description pos;
  pos.add("student", 1);
  po::variables_map vm;
  if (int rc = ParseArgs("train",
                         "MODEL --data TRAIN.npz [--val VAL.npz] [--card C] [--epochs N "
                         "--batch-norm train --augment-shift P ...] "
                         "-o OUT.onnx [--report R.json]",
                         args, opts, pos, &vm);
      rc >= 0)
    return rc;
  TrainOptions o;
  o.labels_only = true;
  return RunTraining(vm, o, false);
}

}  // namespace tinyq::cli
