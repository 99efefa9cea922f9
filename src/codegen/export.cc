// ExportC / PlanMemory (include/tinyq/export.h): lower, plan, emit, write into a temp directory
// and rename it into place, so a failed export leaves nothing behind.
#include "tinyq/export.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "src/codegen/blob.h"
#include "src/codegen/emit_c.h"
#include "src/codegen/sha256.h"
#include "tinyq/onnx.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;

struct Planned {
  codegen::Program program;
  planner::ProgramPlan plan;
};

StatusOr<Planned> LowerAndPlan(const Graph& graph, const ExportOptions& options) {
  TQ_RETURN_IF_ERROR(CheckExportName(options.name));
  TQ_ASSIGN_OR_RETURN(codegen::Program p, codegen::Lower(graph, options.name));
  std::vector<planner::ProgramValue> values;
  std::vector<planner::ProgramStep> steps;
  codegen::ToPlannerProgram(p, &values, &steps);
  auto plan = planner::PlanProgram(values, steps, options.reorder);
  if (!plan.ok()) return Internal(graph.Where() + "memory plan: " + plan.status().message());
  if (plan->arena_bytes > kMaxArenaBytes)
    return Unsupported(graph.Where() + "the planned arena of " + std::to_string(plan->arena_bytes) +
                       " bytes exceeds the 2 GiB a generated model can address");
  return Planned{std::move(p), std::move(plan).value()};
}

MemoryPlanSummary Summarize(const Planned& pl) {
  MemoryPlanSummary s;
  s.arena_bytes = pl.plan.arena_bytes;
  s.lower_bound_bytes = pl.plan.lower_bound_bytes;
  s.greedy_bytes = pl.plan.greedy_bytes;
  for (int si : pl.plan.order) {
    const codegen::CgStep& st = pl.program.steps[static_cast<size_t>(si)];
    s.order.push_back(st.node.empty() ? st.op : st.node);
  }
  for (size_t b = 0; b < pl.plan.buffers.size(); ++b) {
    PlannedBuffer pb;
    pb.name = pl.plan.buffer_names[b];
    pb.bytes = pl.plan.buffers[b].bytes;
    pb.first_step = pl.plan.buffers[b].first;
    pb.last_step = pl.plan.buffers[b].last;
    pb.offset = pl.plan.buffer_offsets[b];
    for (size_t v = 0; v < pl.program.values.size(); ++v) {
      const std::string& name = pl.program.values[v].name;
      if (pl.plan.buffer_of_value[v] == static_cast<int>(b) && name != pb.name)
        pb.alias_of += (pb.alias_of.empty() ? "" : ", ") + name;
    }
    s.buffers.push_back(pb);
  }
  return s;
}

Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (!f) return IoError(path.string() + ": write failed");
  return Status::Ok();
}

}  // namespace

Status CheckExportName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 48 &&
            (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok || name.rfind("tq_", 0) == 0)
    return InvalidArgument("--name '" + name +
                           "': expected a C identifier [A-Za-z_][A-Za-z0-9_]* of at most 48 "
                           "characters, not starting with tq_");
  return Status::Ok();
}

StatusOr<MemoryPlanSummary> PlanMemory(const Graph& quantized, const ExportOptions& options) {
  TQ_ASSIGN_OR_RETURN(Planned pl, LowerAndPlan(quantized, options));
  return Summarize(pl);
}

StatusOr<ExportResult> ExportC(const Graph& quantized, const ExportOptions& options,
                               const std::string& dir) {
  TQ_ASSIGN_OR_RETURN(Planned pl, LowerAndPlan(quantized, options));
  const std::string model = options.model_path.empty() ? quantized.source() : options.model_path;
  std::string sha = "unknown";
  if (!model.empty()) {
    auto h = codegen::Sha256OfFile(model);
    if (h.ok()) sha = h.value();
  }
  const std::string provenance = std::string("tinyq ") + TINYQ_VERSION + " from " +
                                 fs::path(model.empty() ? "<memory>" : model).filename().string() +
                                 " (model sha256 " + sha + ")";
  std::string binding;  // blob mode: the sha256 the blob and the code are bound to
  if (options.weights_blob) {
    if (!options.model_path.empty()) {
      TQ_ASSIGN_OR_RETURN(binding, codegen::Sha256OfFile(options.model_path));
    } else {
      auto bytes = SerializeOnnx(quantized);
      if (!bytes.ok()) return Internal(quantized.Where() + bytes.status().message());
      binding = codegen::Sha256Hex(*bytes);
    }
  }
  const codegen::GeneratedFiles gen = codegen::EmitC(pl.program, pl.plan, options.name, provenance,
                                                     codegen::Sha256HexToBytes(binding));

  ExportResult r;
  r.plan = Summarize(pl);
  r.arena_bytes = pl.plan.arena_bytes;  // NAME_ARENA_SIZE is at least 4 (no zero-size arrays)
  r.lower_bound_bytes = pl.plan.lower_bound_bytes;
  r.greedy_bytes = pl.plan.greedy_bytes;
  r.weight_bytes = pl.program.consts.bytes();
  r.input_bytes = pl.program.values[static_cast<size_t>(pl.program.input)].bytes();
  r.output_bytes = pl.program.values[static_cast<size_t>(pl.program.output)].bytes();
  r.float_layers = pl.program.float_layers;
  r.sparse_layers = pl.program.sparse_layers;
  std::string blob;
  if (options.weights_blob) {
    blob =
        codegen::MakeWeightsBlob(pl.program.consts.payload(), codegen::Sha256HexToBytes(binding));
    r.weights_blob = true;
    r.blob_bytes = static_cast<int64_t>(blob.size());
    r.model_sha256 = binding;
  }
  for (int si : pl.plan.order) {
    const codegen::CgStep& st = pl.program.steps[static_cast<size_t>(si)];
    LayerFootprint lf;
    lf.node = st.node;
    lf.op = st.op;
    lf.macs = st.macs;
    lf.weight_bytes = st.weight_bytes;
    for (int v : st.reads) lf.activation_bytes += pl.program.values[static_cast<size_t>(v)].bytes();
    if (st.alias_input < 0)
      for (int v : st.writes)
        lf.activation_bytes += pl.program.values[static_cast<size_t>(v)].bytes();
    lf.activation_bytes += st.scratch_bytes;
    r.layers.push_back(lf);
  }

  // Write everything into a fresh sibling directory, then swap it into place.
  const fs::path target = fs::absolute(fs::path(dir));
  std::error_code ec;
  if (fs::exists(target, ec) && !fs::is_directory(target, ec))
    return IoError(dir + ": exists and is not a directory");
  fs::create_directories(target.parent_path(), ec);
  std::mt19937_64 rng(std::random_device{}());
  const fs::path tmp = target.string() + ".tmp-" + std::to_string(rng() % 1000000000);
  if (!fs::create_directory(tmp, ec))
    return IoError(tmp.string() + ": cannot create: " + ec.message());
  std::vector<std::pair<std::string, std::string>> files = {
      {options.name + ".h", gen.header},
      {options.name + ".c", gen.source},
      options.weights_blob ? std::make_pair(options.name + "_weights.bin", blob)
                           : std::make_pair(options.name + "_weights.c", gen.weights)};
  for (const auto& rt : codegen::RuntimeSources()) files.push_back(rt);
  for (const auto& f : files) {
    Status s = WriteText(tmp / f.first, f.second);
    if (!s.ok()) {
      fs::remove_all(tmp, ec);
      return s;
    }
    r.files.push_back((target / f.first).string());
  }
  fs::path old;
  if (fs::exists(target, ec)) {
    old = target.string() + ".old-" + std::to_string(rng() % 1000000000);
    fs::rename(target, old, ec);
    if (ec) {
      fs::remove_all(tmp, ec);
      return IoError(dir + ": cannot replace the existing directory");
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    const std::string msg = ec.message();
    if (!old.empty()) fs::rename(old, target, ec);
    fs::remove_all(tmp, ec);
    return IoError(dir + ": cannot move the generated files into place: " + msg);
  }
  if (!old.empty()) fs::remove_all(old, ec);
  return r;
}

std::string ExportResultToJson(const ExportResult& r) {
  using nlohmann::json;
  json layers = json::array();
  for (const LayerFootprint& l : r.layers)
    layers.push_back({{"node", l.node},
                      {"op", l.op},
                      {"macs", l.macs},
                      {"weight_bytes", l.weight_bytes},
                      {"activation_bytes", l.activation_bytes}});
  json buffers = json::array();
  for (const PlannedBuffer& b : r.plan.buffers)
    buffers.push_back({{"name", b.name},
                       {"bytes", b.bytes},
                       {"first_step", b.first_step},
                       {"last_step", b.last_step},
                       {"offset", b.offset},
                       {"shared_with", b.alias_of}});
  json j = {{"files", r.files},
            {"arena_bytes", r.arena_bytes},
            {"lower_bound_bytes", r.lower_bound_bytes},
            {"greedy_bytes", r.greedy_bytes},
            {"weight_bytes", r.weight_bytes},
            {"input_bytes", r.input_bytes},
            {"output_bytes", r.output_bytes},
            {"weights_blob", r.weights_blob},
            {"blob_bytes", r.blob_bytes},
            {"model_sha256", r.model_sha256},
            {"float_layers", r.float_layers},
            {"sparse_layers", r.sparse_layers},
            {"order", r.plan.order},
            {"buffers", buffers},
            {"layers", layers}};
  return j.dump(2);
}

}  // namespace tinyq
