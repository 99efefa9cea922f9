// Lower(): the driver that walks a quantized graph in topological order, maps graph input and
// output to caller memory (with entry/exit transposes when the storage layout differs), and
// hands each node to the int8 (lower_int8.cc) or other (lower_misc.cc) lowering.
#include <cstdio>
#include <cstring>
#include <numeric>
#include <sstream>

#include "src/codegen/lower_internal.h"

namespace tinyq {
namespace codegen {

bool ChannelLastIsTrivial(const Shape& shape) {
  if (shape.size() <= 2) return true;
  return shape[1] == 1 || NumElements(shape) == shape[0] * shape[1];
}

void NhwcExtents(const Shape& s, int64_t out[4]) {
  out[0] = s[0];
  out[3] = s[1];
  out[1] = s.size() == 4 ? s[2] : 1;
  out[2] = s.size() == 4 ? s[3] : (s.size() == 3 ? s[2] : 1);
}

StatusOr<int> Lowering::In(const Node& node, int i) {
  auto it = id.find(node.input(i));
  if (node.input(i) == nullptr || it == id.end())
    return Unsupported(g.Where(&node) + "input " + std::to_string(i) +
                       " is not an activation codegen knows (a constant data input?)");
  return it->second;
}

int Lowering::Out(const Node& node, int i, bool channel_last) {
  const Value* v = node.output(i);
  CgValue c;
  c.name = v->name();
  c.dtype = v->dtype();
  c.shape = v->shape();
  c.channel_last = channel_last && c.shape.size() >= 3;
  const bool is_output = !g.outputs().empty() && g.outputs()[0] == v;
  if (is_output && (!c.channel_last || ChannelLastIsTrivial(c.shape))) c.external = "output";
  p.values.push_back(c);
  const int vid = static_cast<int>(p.values.size()) - 1;
  id[v] = vid;
  if (is_output) p.output = vid;
  return vid;
}

CgStep& Lowering::AddStep(const Node* node, std::vector<int> reads, std::vector<int> writes,
                          EmitFn emit) {
  CgStep s;
  s.node = node ? node->name() : "";
  s.op = node ? OpKindName(node->op()) : "Transpose";
  s.reads = std::move(reads);
  s.writes = std::move(writes);
  s.emit = std::move(emit);
  p.steps.push_back(std::move(s));
  return p.steps.back();
}

int AddTransposeStep(Lowering& l, const Node* node, int from, int to, bool to_nchw) {
  int64_t d[4];
  NhwcExtents(l.V(from).shape, d);
  const int64_t hw = d[1] * d[2];
  const std::string fn = std::string(to_nchw ? "tq_gen_nhwc_to_nchw" : "tq_gen_nchw_to_nhwc") +
                         (l.V(from).dtype == DType::kF32 ? "_f32" : "");
  l.p.helpers.insert(fn);
  CgStep& s = l.AddStep(node, {from}, {to}, [=](const StepPointers& ptr) {
    return "    " + fn + "(" + ptr.reads[0] + ", " + ptr.writes[0] + ", " + std::to_string(d[0]) +
           ", " + std::to_string(hw) + ", " + std::to_string(d[3]) + ");\n";
  });
  s.op = "Transpose";
  return to;
}

namespace {

Status CheckIo(const Graph& g, const Value* v, const char* role) {
  if (v->dtype() != DType::kS8 || !v->quant() || v->quant()->scale.size() != 1)
    return Unsupported(g.Where() + "graph " + role + " '" + v->name() +
                       "' is not int8 with per-tensor params; export C needs int8 I/O "
                       "(quantize without --float-io)");
  return Status::Ok();
}

}  // namespace

StatusOr<Program> Lower(const Graph& graph, const std::string& name) {
  bool quantized = false;
  for (const auto& v : graph.values()) quantized = quantized || v->dtype() == DType::kS8;
  if (!quantized)
    return FailedPrecondition(graph.Where() +
                              "the model is not quantized; quantize it first (tinyq quantize, or "
                              "--calib for tinyq export)");
  if (graph.inputs().size() != 1 || graph.outputs().size() != 1)
    return Unsupported(graph.Where() + "export C supports one graph input and one output, got " +
                       std::to_string(graph.inputs().size()) + " and " +
                       std::to_string(graph.outputs().size()));
  const Value* in = graph.inputs()[0];
  const Value* out = graph.outputs()[0];
  TQ_RETURN_IF_ERROR(CheckIo(graph, in, "input"));
  TQ_RETURN_IF_ERROR(CheckIo(graph, out, "output"));
  if (in == out) return Unsupported(graph.Where() + "the graph output is its input");
  Program p(name);
  p.input_scale = in->quant()->scale[0];
  p.input_zero_point = in->quant()->zero_point.empty() ? 0 : in->quant()->zero_point[0];
  p.output_scale = out->quant()->scale[0];
  p.output_zero_point = out->quant()->zero_point.empty() ? 0 : out->quant()->zero_point[0];
  Lowering l(graph, &p);
  CgValue x;
  x.name = in->name();
  x.shape = in->shape();
  x.external = "input";
  x.channel_last = x.shape.size() >= 3;
  p.values.push_back(x);
  p.input = 0;
  l.id[in] = 0;
  if (!ChannelLastIsTrivial(x.shape)) {  // entry transpose into the arena
    CgValue t = x;
    t.name = x.name + ".nhwc";
    t.external = nullptr;
    p.values.push_back(t);
    l.id[in] = AddTransposeStep(l, nullptr, 0, 1, false);
  }
  for (const Node* node : graph.TopoOrder()) {
    Status s = LowerInt8Node(l, *node);
    if (!s.ok()) return s;
  }
  auto it = l.id.find(out);
  if (it == l.id.end()) return InvalidModel(graph.Where() + "the graph output is never produced");
  if (p.values[static_cast<size_t>(it->second)].external == nullptr) {  // exit transpose
    CgValue y = p.values[static_cast<size_t>(it->second)];
    y.name = out->name() + ".nchw";
    y.external = "output";
    y.channel_last = false;
    p.values.push_back(y);
    p.output = static_cast<int>(p.values.size()) - 1;
    AddTransposeStep(l, nullptr, it->second, p.output, true);
  }
  return p;
}

void ToPlannerProgram(const Program& p, std::vector<planner::ProgramValue>* values,
                      std::vector<planner::ProgramStep>* steps) {
  for (const CgValue& v : p.values) {
    planner::ProgramValue pv;
    pv.name = v.name;
    pv.bytes = v.bytes();
    pv.external = v.external != nullptr;
    pv.read_only = v.external != nullptr && std::string(v.external) == "input";
    values->push_back(pv);
  }
  for (const CgStep& s : p.steps) {
    planner::ProgramStep ps;
    ps.name = s.node.empty() ? s.op : s.node;
    ps.reads = s.reads;
    ps.writes = s.writes;
    ps.scratch_bytes = s.scratch_bytes;
    ps.alias_input = s.alias_input;
    ps.inplace_input = s.inplace_input;
    steps->push_back(ps);
  }
}

std::string FloatLiteral(float v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%af", static_cast<double>(v));
  return buf;
}

std::string ActLiteral(const tq_activation& a) {
  return "{" + std::to_string(a.min) + ", " + std::to_string(a.max) + "}";
}

std::string ClampLiteral(const tq_clamp_f32& c) {
  return "{" + std::to_string(c.flags) + ", " + FloatLiteral(c.min) + ", " + FloatLiteral(c.max) +
         "}";
}

std::vector<int64_t> StorageOrder(size_t r, bool channel_last) {
  std::vector<int64_t> perm(r);
  std::iota(perm.begin(), perm.end(), 0);
  if (channel_last && r >= 3) {
    perm.erase(perm.begin() + 1);
    perm.push_back(1);
  }
  return perm;
}

std::string DimsLiteral(int64_t n, int64_t h, int64_t w, int64_t c) {
  return "{" + std::to_string(n) + ", " + std::to_string(h) + ", " + std::to_string(w) + ", " +
         std::to_string(c) + "}";
}

std::string ConstArrays::Add(const char* ctype, size_t count, size_t elem_bytes, std::string body,
                             const std::string& raw) {
  const std::string sym = prefix_ + "_c" + std::to_string(count_++);
  const std::string decl =
      "const " + std::string(ctype) + " " + sym + "[" + std::to_string(count) + "]";
  decls_ += "extern " + decl + ";\n";
  defs_ += decl + " = {" + body + "};\n";
  bytes_ += static_cast<int64_t>(count * elem_bytes);
  payload_.resize((payload_.size() + 3) / 4 * 4, '\0');  // every array 4-byte aligned
  blob_decls_ += "#define " + sym + " ((const " + ctype + "*)(const void*)(tq_w + " +
                 std::to_string(payload_.size()) + "))\n";
  payload_ += raw;
  return sym;
}

namespace {
template <typename T, typename F>
std::string Join(const std::vector<T>& v, F fmt) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i % 16 == 0) s += "\n  ";
    s += fmt(v[i]);
    if (i + 1 < v.size()) s += ", ";
  }
  return s + "\n";
}
std::string S32(int32_t x) {  // INT32_MIN has no literal of its own
  return x == INT32_MIN ? "(-2147483647 - 1)" : std::to_string(x);
}
// Little-endian bytes of 4-byte values (int32 or the bits of a float), whatever the host order.
template <typename T>
std::string RawLe32(const std::vector<T>& v) {
  static_assert(sizeof(T) == 4, "4-byte values");
  std::string raw(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t u;
    std::memcpy(&u, &v[i], 4);
    for (int b = 0; b < 4; ++b)
      raw[i * 4 + static_cast<size_t>(b)] = static_cast<char>(u >> (8 * b));
  }
  return raw;
}
}  // namespace

std::string ConstArrays::AddS8(const std::vector<int8_t>& v) {
  if (v.empty()) return "NULL";
  return Add("int8_t", v.size(), 1, Join(v, [](int8_t x) { return std::to_string(x); }),
             std::string(reinterpret_cast<const char*>(v.data()), v.size()));
}
std::string ConstArrays::AddU8(const std::vector<uint8_t>& v) {
  if (v.empty()) return "NULL";
  return Add("uint8_t", v.size(), 1, Join(v, [](uint8_t x) { return std::to_string(x); }),
             std::string(reinterpret_cast<const char*>(v.data()), v.size()));
}
std::string ConstArrays::AddS32(const std::vector<int32_t>& v) {
  if (v.empty()) return "NULL";
  return Add("int32_t", v.size(), 4, Join(v, S32), RawLe32(v));
}
std::string ConstArrays::AddF32(const std::vector<float>& v) {
  if (v.empty()) return "NULL";
  return Add("float", v.size(), 4, Join(v, FloatLiteral), RawLe32(v));
}
std::string ConstArrays::Declarations() const { return decls_; }
std::string ConstArrays::BlobDeclarations() const { return blob_decls_; }
std::string ConstArrays::Definitions() const { return defs_; }

}  // namespace codegen
}  // namespace tinyq
