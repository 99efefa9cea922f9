// tinyq prune MODEL --data DATA.npz [--channels R | --per-layer N=R,... | --target-macs F]
//   [--criterion l1|l2|bn|activation] [--global] [--recover none|lsq|[lsq+]distill [--train T.npz
//   --epochs N ...]] [--magnitude S | --nm N:M] [--scan --val VAL.npz] -o OUT.onnx [--report R]
#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>

#include "src/cli/cli.h"
#include "tinyq/prune.h"
#include "tinyq/report.h"

namespace tinyq::cli {
namespace {

StatusOr<double> ParseRatio(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return InvalidArgument(what + ": '" + text + "' is not a number");
}

// "conv1=0.5,conv2=0.25" -> {conv1: 0.5, conv2: 0.25}.
Status ParsePerLayer(const std::string& spec, std::map<std::string, double>* out) {
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t eq = item.rfind('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgument("--per-layer '" + item + "': expected NODE=RATIO");
    TQ_ASSIGN_OR_RETURN((*out)[item.substr(0, eq)],
                        ParseRatio(item.substr(eq + 1), "--per-layer " + item));
  }
  return Status::Ok();
}

Status ParseNm(const std::string& spec, PruneOptions* o) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) return InvalidArgument("--nm '" + spec + "': expected N:M");
  try {
    o->nm_n = std::stoi(spec.substr(0, colon));
    o->nm_m = std::stoi(spec.substr(colon + 1));
  } catch (const std::exception&) {
    return InvalidArgument("--nm '" + spec + "': expected N:M with integers");
  }
  return Status::Ok();
}

Status ReadOptions(const po::variables_map& vm, PruneOptions* o) {
  if (vm.count("card")) {
    TQ_ASSIGN_OR_RETURN(ModelCard card, ReadModelCard(vm["card"].as<std::string>()));
    o->preprocess = card.preprocess;
    o->metric = card.metric;
  }
  if (vm.count("scale")) o->preprocess.scale = vm["scale"].as<float>();
  if (vm.count("mean")) o->preprocess.mean = vm["mean"].as<float>();
  if (vm.count("std")) o->preprocess.std = vm["std"].as<float>();
  if (o->preprocess.std == 0.0f) return InvalidArgument("--std must be non-zero");
  if (vm.count("channels")) {
    TQ_ASSIGN_OR_RETURN(o->channel_ratio,
                        ParseRatio(vm["channels"].as<std::string>(), "--channels"));
  }
  if (vm.count("per-layer"))
    for (const std::string& s : vm["per-layer"].as<std::vector<std::string>>())
      TQ_RETURN_IF_ERROR(ParsePerLayer(s, &o->per_layer));
  if (vm.count("target-macs")) {
    TQ_ASSIGN_OR_RETURN(o->target_mac_reduction,
                        ParseRatio(vm["target-macs"].as<std::string>(), "--target-macs"));
  }
  o->global = vm.count("global") != 0;
  o->criterion = vm["criterion"].as<std::string>();
  o->recover = vm["recover"].as<std::string>();
  o->calib_limit = vm["calib-limit"].as<int64_t>();
  if (o->calib_limit < 0) return InvalidArgument("--calib-limit must be >= 0");
  if (vm.count("magnitude")) {
    TQ_ASSIGN_OR_RETURN(o->sparsity, ParseRatio(vm["magnitude"].as<std::string>(), "--magnitude"));
  }
  if (vm.count("nm")) TQ_RETURN_IF_ERROR(ParseNm(vm["nm"].as<std::string>(), o));
  o->scan = vm.count("scan") != 0;
  o->scan_limit = vm["scan-limit"].as<int64_t>();
  o->threads = vm["threads"].as<int>();
  return ReadTrainingFlags(vm, &o->train_options);
}

}  // namespace

int PruneMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("model", po::value<std::string>()->required(), "float ONNX model")(
      "data", po::value<std::string>()->required(),
      "calibration data (.npz with x): activation criterion and --recover lsq")(
      "card", po::value<std::string>(), "model card (card.json): preprocessing and metric")(
      "scale", po::value<float>(), "preprocess: input = ((x * scale) - mean) / std")(
      "mean", po::value<float>(), "preprocess mean")("std", po::value<float>(), "preprocess std")(
      "channels", po::value<std::string>(),
      "remove this fraction of the channels of every prunable group, in [0, 1)")(
      "per-layer", po::value<std::vector<std::string>>()->composing(),
      "NODE=RATIO,... ratio for the group of a Conv/Gemm node (repeatable)")(
      "target-macs", po::value<std::string>(),
      "remove at least this fraction of the MACs (searches a uniform --channels ratio)")(
      "criterion", po::value<std::string>()->default_value("l1"), "l1 | l2 | bn | activation")(
      "global", "rank channels across groups (scores normalized by their group's mean)")(
      "recover", po::value<std::string>()->default_value("none"),
      "none | lsq (least-squares re-fit of the next layers) | distill (train the pruned model "
      "with knowledge distillation from the unpruned one on --train) | lsq+distill (both, in "
      "this order)")(
      "train", po::value<std::string>(),
      "training data for --recover distill (.npz with x and labels y); the training flags "
      "below apply")("calib-limit", po::value<int64_t>()->default_value(512),
                     "calibration samples used (the first N; 0 = all)")(
      "magnitude", po::value<std::string>(),
      "unstructured pruning: set this fraction of the weights of every layer to zero")(
      "nm", po::value<std::string>(), "N:M sparsity (e.g. 2:4) instead of --magnitude")(
      "scan", "per-group sensitivity scan at ratios 0.25/0.5/0.75 (needs --val)")(
      "scan-limit", po::value<int64_t>()->default_value(1000),
      "validation samples per scan point (0 = all)")("val", po::value<std::string>(),
                                                     "validation set: metric before/after pruning")(
      "threads", po::value<int>()->default_value(0), "worker threads (0 = all cores)")(
      "output,o", po::value<std::string>()->required(), "pruned ONNX model");
  AddReportOptions(opts);
  po::options_description training("training (--recover distill)");
  AddTrainingFlags(training, true);
  opts.add(training);
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (int rc = ParseArgs("prune",
                         "MODEL --data D.npz [--card C] [--channels R | --per-layer N=R,... | "
                         "--target-macs F] [--criterion l1|l2|bn|activation] [--global] "
                         "[--recover none|lsq|distill|lsq+distill [--train T.npz --epochs N ...]] "
                         "[--magnitude S | --nm 2:4] [--scan --val V.npz] "
                         "-o OUT.onnx [--report R.json]",
                         args, opts, pos, &vm);
      rc >= 0)
    return rc;
  PruneOptions o;
  if (Status s = ReadOptions(vm, &o); !s.ok()) return Fail(s);
  const std::string model_path = vm["model"].as<std::string>();
  auto graph = LoadModel(model_path, {});
  if (!graph.ok()) return Fail(graph.status());
  const std::string data_path = vm["data"].as<std::string>();
  auto data = ReadDataset(data_path);
  if (!data.ok()) return Fail(data.status());
  // --val and --train: optional datasets, read into `*d` and pointed to by `*ptr`.
  auto read_optional = [&vm](const char* flag, StatusOr<Dataset>* d, std::string* path,
                             const Dataset** ptr) -> Status {
    if (!vm.count(flag)) return Status::Ok();
    *path = vm[flag].as<std::string>();
    *d = ReadDataset(*path);
    if (!d->ok()) return d->status();
    *ptr = &**d;
    return Status::Ok();
  };
  StatusOr<Dataset> val = InvalidArgument(""), train = InvalidArgument("");
  if (Status s = read_optional("val", &val, &o.val_path, &o.val); !s.ok()) return Fail(s);
  if (Status s = read_optional("train", &train, &o.train_path, &o.train); !s.ok()) return Fail(s);
  // One bar per stage (pruning's evaluations, then the distillation epochs).
  std::unique_ptr<Progress> progress;
  std::string stage;
  o.progress = [&](const std::string& s, int64_t d, int64_t t) {
    if (t <= 0) return;
    if (!progress || s != stage) {
      if (progress) progress->Finish();
      progress = std::make_unique<Progress>(s);
      stage = s;
    }
    progress->Update(d, t);
  };
  auto r = Prune(**graph, *data, data_path, o);
  if (progress) progress->Finish();
  if (!r.ok()) return Fail(r.status());
  int64_t val_samples = o.val ? o.val->x.dim(0) : 0;
  if (o.val_limit > 0) val_samples = std::min(val_samples, o.val_limit);
  return SaveModelAndReport(vm, *r->graph, vm["output"].as<std::string>(),
                            PruneReportJson(r->report, ReportModelOfFile(model_path), val_samples),
                            PruneReportToText(r->report));
}

}  // namespace tinyq::cli
