#include <algorithm>
#include <queue>
#include <set>
#include <unordered_map>

#include "tinyq/ir.h"

namespace tinyq {

void Value::set_constant(Tensor t) {
  dtype_ = t.dtype();
  shape_ = t.shape();
  shape_known_ = true;
  constant_ = std::make_unique<Tensor>(std::move(t));
}

const Attribute* Node::FindAttr(const std::string& name) const {
  auto it = attrs_.find(name);
  return it == attrs_.end() ? nullptr : &it->second;
}
int64_t Node::GetInt(const std::string& name, int64_t def) const {
  const Attribute* a = FindAttr(name);
  return a && a->type == Attribute::Type::kInt ? a->i : def;
}
float Node::GetFloat(const std::string& name, float def) const {
  const Attribute* a = FindAttr(name);
  return a && a->type == Attribute::Type::kFloat ? a->f : def;
}
std::string Node::GetString(const std::string& name, const std::string& def) const {
  const Attribute* a = FindAttr(name);
  return a && a->type == Attribute::Type::kString ? a->s : def;
}
std::vector<int64_t> Node::GetInts(const std::string& name, std::vector<int64_t> def) const {
  const Attribute* a = FindAttr(name);
  return a && a->type == Attribute::Type::kInts ? a->ints : def;
}
std::vector<float> Node::GetFloats(const std::string& name, std::vector<float> def) const {
  const Attribute* a = FindAttr(name);
  return a && a->type == Attribute::Type::kFloats ? a->floats : def;
}
void Node::SetInt(const std::string& name, int64_t v) {
  Attribute a;
  a.type = Attribute::Type::kInt;
  a.i = v;
  attrs_[name] = std::move(a);
}
void Node::SetFloat(const std::string& name, float v) {
  Attribute a;
  a.type = Attribute::Type::kFloat;
  a.f = v;
  attrs_[name] = std::move(a);
}
void Node::SetString(const std::string& name, std::string v) {
  Attribute a;
  a.type = Attribute::Type::kString;
  a.s = std::move(v);
  attrs_[name] = std::move(a);
}
void Node::SetInts(const std::string& name, std::vector<int64_t> v) {
  Attribute a;
  a.type = Attribute::Type::kInts;
  a.ints = std::move(v);
  attrs_[name] = std::move(a);
}
void Node::SetFloats(const std::string& name, std::vector<float> v) {
  Attribute a;
  a.type = Attribute::Type::kFloats;
  a.floats = std::move(v);
  attrs_[name] = std::move(a);
}

Value* Graph::AddValue(const std::string& name, DType dtype) {
  if (name.empty() || value_by_name_.count(name)) return nullptr;
  auto v = std::make_unique<Value>();
  v->name_ = name;
  v->dtype_ = dtype;
  Value* raw = v.get();
  values_.push_back(std::move(v));
  value_by_name_[name] = raw;
  return raw;
}

Value* Graph::AddValue(const std::string& name, DType dtype, Shape shape) {
  Value* v = AddValue(name, dtype);
  if (v) v->set_shape(std::move(shape));
  return v;
}

Value* Graph::AddConstant(const std::string& name, Tensor t) {
  Value* v = AddValue(name, t.dtype());
  if (v) v->set_constant(std::move(t));
  return v;
}

Node* Graph::AddNode(OpKind op, const std::string& name, std::vector<Value*> inputs,
                     std::vector<Value*> outputs) {
  auto n = std::make_unique<Node>();
  n->op_ = op;
  n->name_ = name;
  n->inputs_ = std::move(inputs);
  n->outputs_ = std::move(outputs);
  Node* raw = n.get();
  for (size_t i = 0; i < raw->inputs_.size(); ++i)
    if (raw->inputs_[i]) raw->inputs_[i]->uses_.push_back({raw, static_cast<int>(i)});
  for (Value* o : raw->outputs_)
    if (o) o->producer_ = raw;
  nodes_.push_back(std::move(n));
  return raw;
}

void Graph::SetInput(Node* node, int index, Value* value) {
  if (index >= static_cast<int>(node->inputs_.size()))
    node->inputs_.resize(static_cast<size_t>(index) + 1, nullptr);
  Value* old = node->inputs_[static_cast<size_t>(index)];
  if (old) {
    auto& u = old->uses_;
    u.erase(std::remove_if(u.begin(), u.end(),
                           [&](const Use& x) { return x.node == node && x.index == index; }),
            u.end());
  }
  node->inputs_[static_cast<size_t>(index)] = value;
  if (value) value->uses_.push_back({node, index});
}

void Graph::AddInput(Node* node, Value* value) {
  SetInput(node, static_cast<int>(node->inputs_.size()), value);
}

void Graph::RemoveNode(Node* node) {
  for (size_t i = 0; i < node->inputs_.size(); ++i) {
    Value* v = node->inputs_[i];
    if (!v) continue;
    auto& u = v->uses_;
    u.erase(std::remove_if(u.begin(), u.end(), [&](const Use& x) { return x.node == node; }),
            u.end());
  }
  for (Value* o : node->outputs_)
    if (o && o->producer_ == node) o->producer_ = nullptr;
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(),
                              [&](const std::unique_ptr<Node>& n) { return n.get() == node; }),
               nodes_.end());
}

void Graph::RemoveValue(Value* value) {
  value_by_name_.erase(value->name_);
  values_.erase(std::remove_if(values_.begin(), values_.end(),
                               [&](const std::unique_ptr<Value>& v) { return v.get() == value; }),
                values_.end());
}

void Graph::ReplaceAllUsesWith(Value* from, Value* to) {
  std::vector<Use> uses = from->uses_;
  for (const Use& u : uses) SetInput(u.node, u.index, to);
  for (Value*& o : outputs_)
    if (o == from) o = to;
}

void Graph::RemoveUnusedValues() {
  std::set<const Value*> keep(inputs_.begin(), inputs_.end());
  keep.insert(outputs_.begin(), outputs_.end());
  std::vector<Value*> dead;
  for (auto& v : values_)
    if (!v->producer_ && v->uses_.empty() && !keep.count(v.get())) dead.push_back(v.get());
  for (Value* v : dead) RemoveValue(v);
}

std::vector<Node*> Graph::TopoOrder() const {
  // Kahn's algorithm; a min-heap on insertion index keeps ties in insertion order.
  std::unordered_map<const Node*, size_t> index;
  for (size_t i = 0; i < nodes_.size(); ++i) index[nodes_[i].get()] = i;
  std::vector<int> pending(nodes_.size(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    std::set<const Node*> preds;
    for (const Value* v : nodes_[i]->inputs_)
      if (v && v->producer_ && index.count(v->producer_)) preds.insert(v->producer_);
    pending[i] = static_cast<int>(preds.size());
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (pending[i] == 0) ready.push(i);
  std::vector<Node*> order;
  order.reserve(nodes_.size());
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    Node* n = nodes_[i].get();
    order.push_back(n);
    std::set<const Node*> done;
    for (const Value* o : n->outputs_) {
      if (!o) continue;
      for (const Use& u : o->uses_) {
        if (done.count(u.node)) continue;
        done.insert(u.node);
        auto it = index.find(u.node);
        if (it != index.end() && --pending[it->second] == 0) ready.push(it->second);
      }
    }
  }
  return order;
}

Value* Graph::FindValue(const std::string& name) const {
  auto it = value_by_name_.find(name);
  return it == value_by_name_.end() ? nullptr : it->second;
}

Node* Graph::FindNode(const std::string& name) const {
  for (const auto& n : nodes_)
    if (n->name_ == name) return n.get();
  return nullptr;
}

std::string Graph::UniqueName(const std::string& prefix) const {
  auto taken = [&](const std::string& s) { return value_by_name_.count(s) || FindNode(s); };
  if (!prefix.empty() && !taken(prefix)) return prefix;
  for (int i = 1;; ++i) {
    std::string s = prefix + "_" + std::to_string(i);
    if (!taken(s)) return s;
  }
}

std::string Graph::Where(const Node* node) const {
  std::string s = (source_.empty() ? std::string("<graph>") : source_) + ": ";
  if (node) s += "node '" + node->name_ + "' (" + OpKindName(node->op_) + "): ";
  return s;
}

std::unique_ptr<Graph> Graph::Clone() const {
  auto g = std::make_unique<Graph>();
  g->source_ = source_;
  g->name_ = name_;
  g->opset_ = opset_;
  std::unordered_map<const Value*, Value*> vmap;
  for (const auto& v : values_) {
    Value* nv = g->AddValue(v->name_, v->dtype_);
    nv->shape_ = v->shape_;
    nv->shape_known_ = v->shape_known_;
    if (v->constant_) nv->constant_ = std::make_unique<Tensor>(*v->constant_);
    nv->quant_ = v->quant_;
    vmap[v.get()] = nv;
  }
  auto map = [&](const std::vector<Value*>& vs) {
    std::vector<Value*> out;
    out.reserve(vs.size());
    for (Value* v : vs) out.push_back(v ? vmap.at(v) : nullptr);
    return out;
  };
  for (const auto& n : nodes_) {
    Node* nn = g->AddNode(n->op_, n->name_, map(n->inputs_), map(n->outputs_));
    nn->attrs_ = n->attrs_;
  }
  g->inputs_ = map(inputs_);
  g->outputs_ = map(outputs_);
  return g;
}

}  // namespace tinyq
