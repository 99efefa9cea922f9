// int8_layout.cc - the channel-last plan of the int8 executor (see int8_layout.h).
#include "src/exec/int8_layout.h"

#include <numeric>
#include <unordered_map>

#include "src/exec/int8_common.h"
#include "src/exec/int8_params.h"

namespace tinyq {
namespace {

// How a node relates to the order of the bytes of its s8 activations.
enum class Role { kOther, kNative, kElementwise };

Role RoleOf(const Node& node) {
  if (!InQuantizedRegion(node)) return Role::kOther;
  switch (node.op()) {
    case OpKind::kConv:
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
    case OpKind::kGlobalMaxPool:
    case OpKind::kGlobalAveragePool:
      return FindKernel(node.op(), ExecMode::kInt8)->prepare_layout ? Role::kNative : Role::kOther;
    case OpKind::kAdd:
    case OpKind::kMul:
      for (const Value* v : node.inputs())
        if (!v || v->shape() != node.output(0)->shape()) return Role::kOther;
      return Role::kElementwise;
    default:
      return IsInt8LutOp(node.op()) ? Role::kElementwise : Role::kOther;
  }
}

// Whether a node of role `role` may read its input `i` / write its output `i` channel-last.
bool ReadsChannelLast(Role role, size_t i) {
  return role == Role::kElementwise || (role == Role::kNative && i == 0);
}
bool WritesChannelLast(Role role, size_t i) { return role != Role::kOther && i == 0; }

struct UnionFind {
  std::vector<size_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t Find(size_t a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  }
  void Join(size_t a, size_t b) { parent[Find(a)] = Find(b); }
};

}  // namespace

bool ChannelLastMatters(const Shape& shape) {
  if (shape.size() != 3 && shape.size() != 4) return false;
  int64_t pixels = 1;
  for (size_t d = 2; d < shape.size(); ++d) pixels *= shape[d];
  return shape[1] > 1 && pixels > 1;
}

std::unordered_set<const Value*> PlanInt8ChannelLast(const Graph& graph,
                                                     const std::vector<const Node*>& order) {
  // Index the candidate values; join the values of every elementwise node.
  std::unordered_map<const Value*, size_t> index;
  std::vector<const Value*> values;
  auto id = [&](const Value* v) {
    auto it = index.emplace(v, values.size());
    if (it.second) values.push_back(v);
    return it.first->second;
  };
  std::vector<Role> roles;
  for (const Node* n : order) {
    roles.push_back(RoleOf(*n));
    for (const Value* v : n->inputs())
      if (v) id(v);
    for (const Value* v : n->outputs())
      if (v) id(v);
  }
  UnionFind uf(values.size());
  for (size_t k = 0; k < order.size(); ++k) {
    if (roles[k] != Role::kElementwise) continue;
    const size_t y = index.at(order[k]->output(0));
    for (const Value* v : order[k]->inputs()) uf.Join(index.at(v), y);
  }
  // A component is refused as soon as one value or one use cannot be channel-last.
  std::unordered_set<const Value*> io(graph.inputs().begin(), graph.inputs().end());
  io.insert(graph.outputs().begin(), graph.outputs().end());
  std::vector<bool> ok(values.size(), true), native(values.size(), false);
  for (size_t i = 0; i < values.size(); ++i) {
    const Value* v = values[i];
    const bool candidate = !v->is_constant() && v->dtype() == DType::kS8 &&
                           ChannelLastMatters(v->shape()) && !io.count(v);
    if (!candidate) ok[uf.Find(i)] = false;
  }
  for (size_t k = 0; k < order.size(); ++k) {
    const Node& n = *order[k];
    for (size_t i = 0; i < n.inputs().size(); ++i) {
      if (!n.input(static_cast<int>(i))) continue;
      const size_t c = uf.Find(index.at(n.input(static_cast<int>(i))));
      if (!ReadsChannelLast(roles[k], i)) ok[c] = false;
      if (roles[k] == Role::kNative) native[c] = true;
    }
    for (size_t i = 0; i < n.outputs().size(); ++i) {
      if (!n.output(static_cast<int>(i))) continue;
      const size_t c = uf.Find(index.at(n.output(static_cast<int>(i))));
      if (!WritesChannelLast(roles[k], i)) ok[c] = false;
      if (roles[k] == Role::kNative) native[c] = true;
    }
  }
  std::unordered_set<const Value*> plan;
  for (size_t i = 0; i < values.size(); ++i) {
    const size_t c = uf.Find(i);
    if (ok[c] && native[c]) plan.insert(values[i]);
  }
  return plan;
}

Int8Layouts LayoutsOf(const Node& node, const std::unordered_set<const Value*>& channel_last) {
  Int8Layouts l;
  for (const Value* v : node.inputs()) l.input_channel_last.push_back(v && channel_last.count(v));
  for (const Value* v : node.outputs()) l.output_channel_last.push_back(v && channel_last.count(v));
  return l;
}

namespace {
// [N,C,H,W] or [N,C,L] as n, c, h, w (L: h = 1).
void Nchw(const Shape& s, int64_t* n, int64_t* c, int64_t* h, int64_t* w) {
  *n = s[0];
  *c = s[1];
  *h = s.size() == 4 ? s[2] : 1;
  *w = s.back();
}
}  // namespace

StridedCopyPlan ToChannelLastPlan(const Shape& shape) {
  int64_t n, c, h, w;
  Nchw(shape, &n, &c, &h, &w);
  return NchwToNhwcPlan(n, c, h, w);
}

StridedCopyPlan FromChannelLastPlan(const Shape& shape) {
  int64_t n, c, h, w;
  Nchw(shape, &n, &c, &h, &w);
  return NhwcToNchwPlan(n, c, h, w);
}

}  // namespace tinyq
