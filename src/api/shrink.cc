// Shrink: the `tinyq shrink` pipeline (see tinyq/shrink.h).
#include "tinyq/shrink.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "src/api/shrink_internal.h"
#include "tinyq/api.h"
#include "tinyq/interrupt.h"
#include "tinyq/target.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// "models/kws-dscnn.v2.onnx" -> "kws_dscnn_v2" (a C identifier).
std::string NameFromPath(const std::string& path) {
  std::string stem = fs::path(path).stem().string();
  if (stem == "model") stem = fs::path(path).parent_path().filename().string();
  std::string out;
  for (char c : stem) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "m_" + out;
  return out;
}

// Creates "<out>.partial-<pid>" next to out_dir; out_dir itself must not exist unless `force`.
StatusOr<std::string> StartOutDir(const ShrinkOptions& o) {
  if (o.out_dir.empty()) return InvalidArgument("-o OUTDIR is required");
  std::error_code ec;
  const fs::path out = fs::path(o.out_dir).lexically_normal();
  if (fs::exists(out, ec) && !o.force)
    return FailedPrecondition(o.out_dir + ": exists; pass --force to replace it");
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    return FailedPrecondition(o.out_dir + ": exists and is not a directory");
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    return NotFound(o.out_dir + ": parent directory " + parent.string() + " does not exist");
  const std::string tmp =
      (parent / (out.filename().string() + ".partial-" + std::to_string(::getpid()))).string();
  fs::remove_all(tmp, ec);
  if (!fs::create_directory(tmp, ec))
    return IoError(o.out_dir + ": cannot create " + tmp + ": " + ec.message());
  return tmp;
}

// Moves the finished temp dir into place (replacing an old out_dir when forced).
Status FinishOutDir(const std::string& tmp, const std::string& out_dir) {
  std::error_code ec;
  std::string old;
  if (fs::exists(out_dir, ec)) {
    old = out_dir + ".old-" + std::to_string(::getpid());
    fs::rename(out_dir, old, ec);
    if (ec) return IoError(out_dir + ": cannot move the old directory aside: " + ec.message());
  }
  fs::rename(tmp, out_dir, ec);
  if (ec) return IoError(out_dir + ": cannot move the results into place: " + ec.message());
  if (!old.empty()) fs::remove_all(old, ec);
  return Status::Ok();
}

}  // namespace

StatusOr<ShrinkResult> Shrink(const ShrinkOptions& o) {
  if (o.model_path.empty()) return InvalidArgument("a model is required");
  if (o.data_path.empty()) return InvalidArgument("--data is required (evaluation data)");
  if (o.prune_channels < 0 || o.prune_channels >= 1)
    return InvalidArgument("--prune-channels must be in [0, 1)");
  if (!o.target.empty()) TQ_RETURN_IF_ERROR(ResolveBoard(o.target).status());  // fail fast
  ShrinkRun run;
  run.options = &o;
  run.name = o.name.empty() ? NameFromPath(o.model_path) : o.name;
  // The name also names the files in OUTDIR: checked before anything is written.
  TQ_RETURN_IF_ERROR(CheckExportName(run.name));
  run.quantize = o.quantize;
  if (!o.card_path.empty()) {
    TQ_ASSIGN_OR_RETURN(ModelCard card, ReadModelCard(o.card_path));
    run.quantize.preprocess = card.preprocess;
    run.quantize.metric = card.metric;
  }
  run.quantize.threads = o.threads;
  run.quantize.progress = [&](const std::string& s, int64_t d, int64_t t) {
    if (o.progress && t > 0) run.Progress(s, d, t);
  };
  TQ_ASSIGN_OR_RETURN(std::string tmp, StartOutDir(o));
  const TempPathGuard guard(tmp);  // removed on error below and on Ctrl-C
  run.dir = tmp;
  Status s = RunShrinkStages(&run);
  if (s.ok()) s = WriteShrinkReports(&run);
  if (s.ok()) s = FinishOutDir(tmp, o.out_dir);
  if (!s.ok()) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    return s;
  }
  ShrinkResult r;
  r.out_dir = o.out_dir;
  r.report_json = run.report_json;
  r.summary = run.summary;
  r.failures = run.failures;
  r.passed = run.failures.empty();
  return r;
}

void ShrinkRun::Begin(const std::string& stage) {
  stage_start = Now();
  stages.push_back({stage, 0.0});
  if (options->stage_begin) options->stage_begin(stage);
}

void ShrinkRun::End() {
  if (!stages.empty()) stages.back().seconds = Now() - stage_start;
}

void ShrinkRun::Progress(const std::string& what, int64_t done, int64_t total) {
  if (options->progress) options->progress(what, done, total);
}

}  // namespace tinyq
