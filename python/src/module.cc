// _tinyq: pybind11 bindings of the tinyq engine. The Python package `tinyq` (python/tinyq) wraps
// these in a documented API; errors arrive as tinyq.errors.* exceptions named after StatusCode.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <variant>
#include <type_traits>

#include "tinyq/api.h"
#include "tinyq/data.h"
#include "tinyq/executor.h"
#include "tinyq/export.h"
#include "tinyq/onnx.h"
#include "tinyq/quantize.h"
#include "tinyq/report.h"
#include "tinyq/shrink.h"
#include "tinyq/target.h"
#include "tinyq/prune.h"
#include "tinyq/train.h"

namespace py = pybind11;

namespace tinyq {
namespace {

// Carries a Status through pybind11 to the translator below.
class StatusError : public std::runtime_error {
 public:
  explicit StatusError(const Status& s) : std::runtime_error(s.message()), code(s.code()) {}
  StatusCode code;
};

void Check(const Status& s) {
  if (!s.ok()) throw StatusError(s);
}
template <typename T>
T Take(StatusOr<T> v) {
  if (!v.ok()) throw StatusError(v.status());
  return std::move(v).value();
}

StatusOr<DType> DTypeFromNumpy(const py::dtype& dt) {
  const char kind = dt.kind();
  const size_t size = static_cast<size_t>(dt.itemsize());
  if (kind == 'f' && size == 4) return DType::kF32;
  if (kind == 'f' && size == 8) return DType::kF64;
  if (kind == 'i' && size == 1) return DType::kS8;
  if (kind == 'u' && size == 1) return DType::kU8;
  if (kind == 'i' && size == 2) return DType::kS16;
  if (kind == 'u' && size == 2) return DType::kU16;
  if (kind == 'i' && size == 4) return DType::kS32;
  if (kind == 'i' && size == 8) return DType::kS64;
  if (kind == 'b') return DType::kBool;
  return InvalidArgument(std::string("numpy dtype '") +
                         py::str(static_cast<const py::handle&>(dt)).cast<std::string>() +
                         "' is not supported");
}

py::dtype NumpyDType(DType t) {
  switch (t) {
    case DType::kF32: return py::dtype::of<float>();
    case DType::kF64: return py::dtype::of<double>();
    case DType::kS8: return py::dtype::of<int8_t>();
    case DType::kU8: return py::dtype::of<uint8_t>();
    case DType::kS16: return py::dtype::of<int16_t>();
    case DType::kU16: return py::dtype::of<uint16_t>();
    case DType::kS32: return py::dtype::of<int32_t>();
    case DType::kS64: return py::dtype::of<int64_t>();
    case DType::kBool: return py::dtype::of<bool>();
    case DType::kCount: break;
  }
  throw std::logic_error("bad dtype");
}

Tensor FromNumpy(const py::array& a, const std::string& what) {
  StatusOr<DType> dt = DTypeFromNumpy(a.dtype());
  if (!dt.ok()) throw StatusError(dt.status().WithPrefix(what + ": "));
  const DType t = *dt;
  py::array c = py::array::ensure(a, py::array::c_style);
  Shape shape(c.shape(), c.shape() + c.ndim());
  Tensor out(t, shape);
  if (out.nbytes()) std::memcpy(out.raw(), c.data(), out.nbytes());
  return out;
}

// Hands the tensor's buffer to numpy without a copy (the capsule owns the moved Tensor).
py::array ToNumpy(Tensor t) {
  auto* owned = new Tensor(std::move(t));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<Tensor*>(p); });
  std::vector<py::ssize_t> shape(owned->shape().begin(), owned->shape().end());
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = static_cast<py::ssize_t>(DTypeSize(owned->dtype()));
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return py::array(NumpyDType(owned->dtype()), shape, strides, owned->raw(), free_when_done);
}

// A dataset of x and labels y (cast to int64) from numpy arrays.
Dataset LabelledDataset(const py::object& x, const py::object& y, const std::string& x_what,
                        const std::string& y_what) {
  Dataset d;
  d.x = FromNumpy(py::array::ensure(x), x_what);
  d.y = FromNumpy(py::array::ensure(y), y_what).CastTo(DType::kS64);
  d.has_labels = true;
  return d;
}

// TrainOptions from a dict of its fields by name (absent keys keep the defaults); "feature_loss"
// is a list of "TEACHER:STUDENT[:WEIGHT]" strings.
TrainOptions TrainOptionsFromDict(const py::dict& d) {
  TrainOptions o;
  auto get = [&d](const char* key, auto* field) {
    if (d.contains(key)) *field = d[key].cast<std::decay_t<decltype(*field)>>();
  };
  get("scale", &o.preprocess.scale);
  get("mean", &o.preprocess.mean);
  get("std", &o.preprocess.std);
  get("epochs", &o.epochs);
  get("batch", &o.batch);
  get("lr", &o.lr);
  get("optimizer", &o.optimizer);
  get("momentum", &o.momentum);
  get("weight_decay", &o.weight_decay);
  get("schedule", &o.schedule);
  get("warmup", &o.warmup);
  get("batch_norm", &o.batch_norm);
  get("bn_recalibrate", &o.bn_recalibrate);
  get("augment_shift", &o.augment_shift);
  get("augment_flip", &o.augment_flip);
  get("temperature", &o.temperature);
  get("alpha", &o.alpha);
  get("labels_only", &o.labels_only);
  get("seed", &o.seed);
  get("limit", &o.limit);
  get("teacher_cache", &o.teacher_cache);
  if (d.contains("feature_loss"))
    for (const std::string& spec : d["feature_loss"].cast<std::vector<std::string>>())
      o.feature_losses.push_back(Take(ParseFeatureLoss(spec)));
  return o;
}

// A loaded model: the graph plus a lazily created executor. `origin` is what reports name as
// their "model": the file it was loaded from (with its sha256), or the source of a derived model.
class PyModel {
 public:
  PyModel(std::unique_ptr<Graph> g, ReportModel origin)
      : graph_(std::move(g)), origin_(std::move(origin)) {}
  // A model made from this one (quantized, pruned, trained): no file, so no sha256.
  std::unique_ptr<PyModel> Derived(std::unique_ptr<Graph> g) const {
    ReportModel origin{g->source(), ""};
    return std::make_unique<PyModel>(std::move(g), std::move(origin));
  }
  py::tuple Origin() const { return py::make_tuple(origin_.path, origin_.sha256); }

  py::dict Run(const py::dict& feeds, int threads, bool dequantize) {
    TensorMap in;
    for (auto item : feeds) {
      const std::string name = py::str(item.first);
      Tensor t = FromNumpy(py::array::ensure(item.second), "input '" + name + "'");
      if (const Value* v = graph_->FindValue(name)) t = Take(QuantizeForInput(*v, t));
      in.emplace(name, std::move(t));
    }
    Executor& ex = GetExecutor(threads);
    TensorMap out;
    {
      py::gil_scoped_release release;
      out = Take(ex.RunBatch(in));
    }
    py::dict result;
    for (auto& [name, t] : out) {
      const Value* v = graph_->FindValue(name);
      if (dequantize && v) t = Take(DequantizeOutput(*v, t));
      result[py::str(name)] = ToNumpy(std::move(t));
    }
    return result;
  }

  // {name: (scale, zero_point)} of the int8 graph inputs (or outputs).
  py::dict QuantParamsOf(bool outputs) const {
    py::dict d;
    for (const Value* v : outputs ? graph_->outputs() : graph_->inputs())
      if (v->dtype() == DType::kS8 && v->quant() && v->quant()->scale.size() == 1)
        d[py::str(v->name())] = py::make_tuple(v->quant()->scale[0], v->quant()->zero_point[0]);
    return d;
  }

  bool IsInt8() const { return Take(PrepareRunnable(*graph_, false)).int8; }

  // Returns (quantized model, report JSON, calibration table JSON).
  py::tuple Quantize(const py::array& x, float scale, float mean, float std,
                     const std::string& metric, const std::string& method, double percentile,
                     int64_t calib_limit, const std::string& table_json,
                     const std::string& table_source, bool float_io, bool reduce_range,
                     bool bias_correction, bool equalize,
                     const std::vector<std::string>& float_nodes, double max_drop,
                     const py::object& val_x, const py::object& val_y, int threads, bool adaround,
                     int adaround_iters, bool adaround_check, bool search) {
    Dataset calib;
    calib.x = FromNumpy(x, "calib");
    QuantizeOptions o;
    o.preprocess = {scale, mean, std};
    o.metric = metric;
    o.method = Take(ParseCalibrationMethod(method));
    o.percentile = percentile;
    o.calib_limit = calib_limit;
    if (!table_json.empty()) o.table = Take(CalibrationTable::FromJson(table_json, table_source));
    o.float_io = float_io;
    o.reduce_range = reduce_range;
    o.bias_correction = bias_correction;
    o.equalize = equalize;
    o.float_nodes = float_nodes;
    o.threads = threads;
    o.adaround = adaround;
    o.adaround_iters = adaround_iters;
    o.adaround_guard = adaround_check;
    o.search = search;
    Dataset val;
    if ((max_drop >= 0.0 || search) && (val_x.is_none() || val_y.is_none()))
      throw StatusError(InvalidArgument("max_drop and search need a validation set (val=(x, y))"));
    o.max_drop = max_drop;
    if (!val_x.is_none() && !val_y.is_none()) {
      val.x = FromNumpy(py::array::ensure(val_x), "val x");
      val.y = FromNumpy(py::array::ensure(val_y), "val y").CastTo(DType::kS64);
      val.has_labels = true;
      o.val = &val;
      o.val_path = "<validation arrays>";
    }
    QuantizeResult r;
    {
      py::gil_scoped_release release;
      r = Take(tinyq::Quantize(*graph_, calib, "<calibration arrays>", o));
    }
    r.graph->set_source(graph_->source() + " (int8)");
    const std::string report =
        QuantizeReportJson(r.report, origin_, metric, o.val ? o.val->x.dim(0) : 0);
    const std::string table = r.table.ToJson();
    return py::make_tuple(Derived(std::move(r.graph)), report, table);
  }

  // Returns (pruned model, report JSON). `opts` carries the PruneOptions fields by name;
  // `train_x`/`train_y` (or None) the data of recover "distill", `train_opts` its TrainOptions.
  py::tuple Prune(const py::array& x, const py::dict& opts, const py::object& val_x,
                  const py::object& val_y, const py::object& train_x, const py::object& train_y,
                  const py::dict& train_opts) {
    Dataset calib;
    calib.x = FromNumpy(x, "data");
    PruneOptions o;
    o.preprocess = {opts["scale"].cast<float>(), opts["mean"].cast<float>(),
                    opts["std"].cast<float>()};
    o.metric = opts["metric"].cast<std::string>();
    o.channel_ratio = opts["channels"].cast<double>();
    o.per_layer = opts["per_layer"].cast<std::map<std::string, double>>();
    o.global = opts["global"].cast<bool>();
    o.target_mac_reduction = opts["target_macs"].cast<double>();
    o.criterion = opts["criterion"].cast<std::string>();
    o.recover = opts["recover"].cast<std::string>();
    o.calib_limit = opts["calib_limit"].cast<int64_t>();
    o.sparsity = opts["magnitude"].cast<double>();
    o.nm_n = opts["nm_n"].cast<int>();
    o.nm_m = opts["nm_m"].cast<int>();
    o.scan = opts["scan"].cast<bool>();
    o.scan_limit = opts["scan_limit"].cast<int64_t>();
    o.val_limit = opts["val_limit"].cast<int64_t>();
    o.threads = opts["threads"].cast<int>();
    Dataset val;
    if (!val_x.is_none()) {
      val.x = FromNumpy(py::array::ensure(val_x), "val x");
      if (!val_y.is_none()) {
        val.y = FromNumpy(py::array::ensure(val_y), "val y").CastTo(DType::kS64);
        val.has_labels = true;
      }
      o.val = &val;
      o.val_path = "<validation arrays>";
    }
    Dataset train;
    if (!train_x.is_none()) {
      train = LabelledDataset(train_x, train_y, "train x", "train y");
      o.train = &train;
      o.train_path = "<train arrays>";
    }
    o.train_options = TrainOptionsFromDict(train_opts);
    PruneResult r;
    {
      py::gil_scoped_release release;
      r = Take(tinyq::Prune(*graph_, calib, "<data arrays>", o));
    }
    r.graph->set_source(graph_->source() + " (pruned)");
    int64_t val_samples = o.val ? o.val->x.dim(0) : 0;
    if (o.val_limit > 0) val_samples = std::min(val_samples, o.val_limit);
    const std::string report = PruneReportJson(r.report, origin_, val_samples);
    return py::make_tuple(Derived(std::move(r.graph)), report);
  }

  // Returns (trained copy of this model, report JSON). `teacher` is a Model or None; `opts`
  // carries the TrainOptions fields by name (TrainOptionsFromDict).
  py::tuple Distill(const py::object& teacher, const py::array& x, const py::array& y,
                    const py::object& val_x, const py::object& val_y, const py::dict& opts) {
    Dataset train = LabelledDataset(x, y, "x", "y");
    Dataset val;
    const bool has_val = !val_x.is_none();
    if (has_val) val = LabelledDataset(val_x, val_y, "val x", "val y");
    const Graph* teacher_graph =
        teacher.is_none() ? nullptr : teacher.cast<const PyModel&>().graph_.get();
    const TrainOptions o = TrainOptionsFromDict(opts);
    std::unique_ptr<Graph> student = graph_->Clone();
    TrainReport r;
    {
      py::gil_scoped_release release;
      r = Take(tinyq::Distill(student.get(), teacher_graph, train, "<train arrays>",
                              has_val ? &val : nullptr, "<validation arrays>", o));
    }
    student->set_source(graph_->source() + " (trained)");
    const std::string report = DistillReportJson(r, teacher.is_none() ? "train" : "distill",
                                                 origin_, has_val ? val.x.dim(0) : 0);
    return py::make_tuple(Derived(std::move(student)), report);
  }

  std::string SummaryJson() const { return SummaryToJson(Summarize(*graph_)); }
  std::string GraphText() const { return PrintGraph(*graph_); }

  // The "tinyq.report" of `tinyq eval`; `data_label` names the data in it.
  std::string Evaluate(const py::array& x, const py::object& y, float scale, float mean, float std,
                       const std::string& metric, int64_t limit, int threads,
                       const std::string& data_label) {
    Dataset d;
    d.x = FromNumpy(x, "x");
    if (!y.is_none()) {
      d.y = FromNumpy(py::array::ensure(y), "y").CastTo(DType::kS64);
      d.has_labels = true;
    }
    EvalOptions o;
    o.preprocess = {scale, mean, std};
    o.metric = metric;
    o.limit = limit;
    o.threads = threads;
    EvalResult r;
    {
      py::gil_scoped_release release;
      r = Take(tinyq::Evaluate(*graph_, d, "<numpy arrays>", o));
    }
    return EvalReportJson(r, origin_, data_label);
  }

  std::vector<std::pair<std::string, std::vector<int64_t>>> Inputs() const {
    std::vector<std::pair<std::string, std::vector<int64_t>>> v;
    for (const Value* i : graph_->inputs()) v.emplace_back(i->name(), i->shape());
    return v;
  }
  std::vector<std::string> Outputs() const {
    std::vector<std::string> v;
    for (const Value* o : graph_->outputs()) v.push_back(o->name());
    return v;
  }
  void Save(const std::string& path) const { Check(SaveOnnx(*graph_, path)); }

 private:
  Executor& GetExecutor(int threads) {
    if (!exec_ || threads != threads_) {
      ExecutorOptions o;
      o.threads = threads;
      if (!runnable_.graph) runnable_ = Take(PrepareRunnable(*graph_, false));
      o.int8 = runnable_.int8;
      exec_ = Take(Executor::Create(*runnable_.graph, o));
      threads_ = threads;
    }
    return *exec_;
  }
  std::unique_ptr<Graph> graph_;
  ReportModel origin_;
  RunnableGraph runnable_;  // what the executor runs (must outlive exec_)
  std::unique_ptr<Executor> exec_;
  int threads_ = -1;
};

}  // namespace
}  // namespace tinyq

PYBIND11_MODULE(_tinyq, m) {
  using namespace tinyq;
  m.doc() = "tinyq engine bindings (use the `tinyq` package, not this module)";
  m.attr("__version__") = TINYQ_VERSION;

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusError& e) {
      py::object errors = py::module_::import("tinyq.errors");
      py::object cls = errors.attr("error_class")(StatusCodeName(e.code));
      PyErr_SetObject(cls.ptr(), py::str(e.what()).ptr());
    }
  });

  py::class_<PyModel>(m, "Model")
      .def("run", &PyModel::Run, py::arg("feeds"), py::arg("threads") = 1,
           py::arg("dequantize") = false)
      .def("quant_params", &PyModel::QuantParamsOf, py::arg("outputs"))
      .def("is_int8", &PyModel::IsInt8)
      .def("quantize", &PyModel::Quantize)
      .def("prune", &PyModel::Prune)
      .def("summary_json", &PyModel::SummaryJson)
      .def("distill", &PyModel::Distill)
      .def("graph_text", &PyModel::GraphText)
      .def("evaluate", &PyModel::Evaluate, py::arg("x"), py::arg("y"), py::arg("scale"),
           py::arg("mean"), py::arg("std"), py::arg("metric"), py::arg("limit"),
           py::arg("threads"), py::arg("data_label") = "<numpy arrays>")
      .def("origin", &PyModel::Origin)
      .def("inputs", &PyModel::Inputs)
      .def("outputs", &PyModel::Outputs)
      .def("save", &PyModel::Save, py::arg("path"));

  m.def(
      "load",
      [](const std::string& path, const std::map<std::string, std::vector<int64_t>>& shapes) {
        LoadOptions o;
        for (const auto& [k, v] : shapes) o.input_shapes[k] = v;
        std::unique_ptr<Graph> g;
        ReportModel origin;
        {
          py::gil_scoped_release release;
          g = Take(LoadOnnx(path, o));
          origin = ReportModelOfFile(path);
        }
        return std::make_unique<PyModel>(std::move(g), std::move(origin));
      },
      py::arg("path"), py::arg("input_shapes") = std::map<std::string, std::vector<int64_t>>{});

  m.def("read_dataset", [](const std::string& path) {
    Dataset d = Take(ReadDataset(path));
    py::dict out;
    out["x"] = ToNumpy(std::move(d.x));
    if (d.has_labels) out["y"] = ToNumpy(std::move(d.y));
    return out;
  });
  m.def(
      "shrink",
      [](const std::string& model, const std::string& data, const std::string& out_dir,
         const std::string& calib, const std::string& card, const std::string& target,
         const std::string& name, const std::string& method, int64_t calib_limit,
         bool bias_correction, bool equalize, double max_drop, int64_t eval_limit, bool force,
         int threads, double prune_channels, const std::string& criterion, bool distill,
         const std::string& train, int epochs, const std::string& flash, const std::string& ram,
         bool adaround, int adaround_iters) {
        ShrinkOptions o;
        o.prune_channels = prune_channels;
        o.prune_criterion = criterion;
        o.distill = distill;
        o.train_path = train;
        o.distill_epochs = epochs;
        if (!flash.empty()) o.flash_bytes = Take(ParseByteSize(flash, "flash"));
        if (!ram.empty()) o.ram_bytes = Take(ParseByteSize(ram, "ram"));
        o.model_path = model;
        o.data_path = data;
        o.out_dir = out_dir;
        o.calib_path = calib;
        o.card_path = card;
        o.target = target;
        o.name = name;
        o.quantize.method = Take(ParseCalibrationMethod(method));
        o.quantize.calib_limit = calib_limit;
        o.quantize.bias_correction = bias_correction;
        o.quantize.equalize = equalize;
        o.quantize.adaround = adaround;
        o.quantize.adaround_iters = adaround_iters;
        o.max_drop = max_drop;
        o.eval_limit = eval_limit;
        o.force = force;
        o.threads = threads;
        ShrinkResult r;
        {
          py::gil_scoped_release release;
          r = Take(Shrink(o));
        }
        return py::make_tuple(r.report_json, r.summary, r.passed, r.failures);
      },
      py::arg("model"), py::arg("data"), py::arg("out_dir"), py::arg("calib"), py::arg("card"),
      py::arg("target"), py::arg("name"), py::arg("method"), py::arg("calib_limit"),
      py::arg("bias_correction"), py::arg("equalize"), py::arg("max_drop"), py::arg("eval_limit"),
      py::arg("force"), py::arg("threads"), py::arg("prune_channels"), py::arg("criterion"),
      py::arg("distill"), py::arg("train"), py::arg("epochs"), py::arg("flash"), py::arg("ram"),
      py::arg("adaround") = false, py::arg("adaround_iters") = 1000);
  // `report`/`baseline`: a file path, or (name, JSON text) of an in-memory report.
  m.def(
      "check",
      [](const std::variant<std::string, std::pair<std::string, std::string>>& report,
         const std::optional<std::variant<std::string, std::pair<std::string, std::string>>>&
             baseline,
         std::optional<double> drop, std::optional<double> flash, std::optional<double> ram,
         const std::string& junit, const std::string& markdown) {
        CheckLimits l;
        l.max_accuracy_drop = drop;
        l.max_flash_growth_pct = flash;
        l.max_ram_growth_pct = ram;
        auto text_of = [](const auto& r) {
          if (const auto* path = std::get_if<std::string>(&r)) return Take(ReadReportFile(*path));
          const auto& [name, json] = std::get<std::pair<std::string, std::string>>(r);
          return ReportText{name, json};
        };
        const ReportText cur = text_of(report);
        std::optional<ReportText> base;
        if (baseline) base = text_of(*baseline);
        CheckSummary s = Take(CheckReports(cur, base ? &*base : nullptr, l));
        if (!junit.empty()) Check(WriteFileAtomic(junit, CheckToJUnit(s)));
        if (!markdown.empty()) Check(WriteFileAtomic(markdown, CheckToMarkdown(s)));
        return py::make_tuple(CheckToJson(s), CheckToMarkdown(s), CheckToText(s));
      },
      py::arg("report"), py::arg("baseline"), py::arg("max_accuracy_drop"),
      py::arg("max_flash_growth"), py::arg("max_ram_growth"), py::arg("junit"),
      py::arg("markdown"));
  // The report of `tinyq export --format c`; `origin` (path, sha256) names the model in it when
  // `path` is a temporary copy of an in-memory model.
  m.def("export_c", [](const std::string& path, const std::string& dir, const std::string& name,
                       const std::string& calib, const std::string& card, int64_t calib_limit,
                       bool reorder, bool weights_blob,
                       const std::optional<std::pair<std::string, std::string>>& origin) {
    ExportModelOptions o;
    o.c.name = name;
    o.c.reorder = reorder;
    o.c.weights_blob = weights_blob;
    o.calib_path = calib;
    o.card_path = card;
    o.calib_limit = calib_limit;
    ExportResult r;
    {
      py::gil_scoped_release release;
      r = Take(ExportModelC(path, dir, o));
    }
    return ExportReportJson(
        r, origin ? ReportModel{origin->first, origin->second} : ReportModelOfFile(path));
  });
  m.def("targets_json", []() { return BoardsToJson(BuiltinBoards()); });
  m.def("board_profile_json", [](const std::string& path) {
    return BoardsToJson({Take(LoadBoardProfile(path))});
  });
  m.def(
      "budget_json",
      [](const std::string& model, const std::string& name, const std::string& calib,
         const std::string& card, const std::string& target, const std::string& profile,
         const std::string& flash, const std::string& ram, const std::string& rate,
         const std::string& battery, const std::string& opt, const std::string& work_dir,
         int timeout_s) {
        BudgetRequest req{model, name, calib, card,     target,   profile, flash,
                          ram,   rate, battery, opt, work_dir, timeout_s};
        py::gil_scoped_release release;
        return BudgetReportJson(Take(RunBudget(req)), ReportModelOfFile(model));
      },
      py::arg("model"), py::arg("name"), py::arg("calib"), py::arg("card"), py::arg("target"),
      py::arg("profile"), py::arg("flash"),
      py::arg("ram"), py::arg("rate"), py::arg("battery"), py::arg("opt"), py::arg("work_dir"),
      py::arg("timeout_s"));
  m.def("exit_code", [](const std::string& code_name) {
    for (int c = 0; c <= static_cast<int>(StatusCode::kCheckFailed); ++c)
      if (code_name == StatusCodeName(static_cast<StatusCode>(c)))
        return ExitCodeFor(static_cast<StatusCode>(c));
    return 70;
  });
}
