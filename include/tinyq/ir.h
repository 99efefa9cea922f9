// tinyq/ir.h - the graph IR that every tinyq stage works on.
//
// A Graph owns Nodes and Values. Values are edges: a unique name, a dtype, a static shape, an
// optional constant Tensor (weights, folded shapes) and optional quantization parameters. Nodes are
// operators: a closed OpKind, a name, inputs/outputs (Value*, nullptr for an omitted optional input)
// and typed attributes. The layout of tensors is NCHW, as in ONNX.
//
//   auto graph = tinyq::LoadOnnx("model.onnx");            // tinyq/onnx.h
//   for (tinyq::Node* n : graph.value()->TopoOrder()) std::cout << n->name() << "\n";
//   TQ_RETURN_IF_ERROR(tinyq::Verify(*graph.value()));
#ifndef TINYQ_IR_H_
#define TINYQ_IR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tinyq/status.h"
#include "tinyq/tensor.h"

namespace tinyq {

// The closed set of operators. ONNX ops keep their ONNX names (OpKindName); tinyq-internal ops
// start with "Tq". Adding an op: append here AND to the name table in src/ir/op_kind.cc (a
// static_assert there checks the count).
enum class OpKind : uint16_t {
  kConv, kConvTranspose, kGemm, kMatMul,
  kAdd, kSub, kMul, kDiv, kMax, kMin, kPow,
  kSqrt, kExp, kLog, kNeg, kAbs, kRelu, kLeakyRelu, kPRelu, kClip,
  kSigmoid, kTanh, kHardSigmoid, kHardSwish, kSoftmax, kLogSoftmax,
  kReduceMean, kReduceMax, kReduceSum,
  kMaxPool, kAveragePool, kGlobalAveragePool, kGlobalMaxPool,
  kBatchNormalization, kInstanceNormalization,
  kFlatten, kReshape, kTranspose, kConcat, kSplit, kSlice, kGather, kSqueeze, kUnsqueeze, kPad,
  kResize, kUpsample, kIdentity, kDropout, kCast, kConstant, kShape, kRange,
  kQuantizeLinear, kDequantizeLinear,
  kCount  // number of ops, not an op
};

const char* OpKindName(OpKind op);
// ONNX op_type (default domain) -> OpKind; nullopt if tinyq does not support it.
std::optional<OpKind> OpKindFromName(const std::string& name);

// A node attribute (the ONNX attribute kinds tinyq uses).
struct Attribute {
  enum class Type { kInt, kFloat, kString, kInts, kFloats, kStrings, kTensor };
  Type type = Type::kInt;
  int64_t i = 0;
  float f = 0.0f;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  std::vector<Tensor> t;  // exactly one element when type == kTensor
};

// Quantization parameters of a value: real = scale * (q - zero_point). Per-tensor when scale has
// one element, else per-channel along `axis`.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int axis = -1;
  DType storage = DType::kS8;
};

class Node;
class Graph;

// One use of a value: `node->inputs()[index] == value`.
struct Use {
  Node* node;
  int index;
};

class Value {
 public:
  const std::string& name() const { return name_; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  // False until shape inference has run (import leaves every value known).
  bool shape_known() const { return shape_known_; }
  void set_dtype(DType t) { dtype_ = t; }
  void set_shape(Shape s) { shape_ = std::move(s); shape_known_ = true; }

  bool is_constant() const { return constant_ != nullptr; }
  const Tensor* constant() const { return constant_.get(); }
  Tensor* mutable_constant() { return constant_.get(); }
  // Makes this value a constant (also sets dtype and shape from the tensor).
  void set_constant(Tensor t);
  void clear_constant() { constant_.reset(); }

  const std::optional<QuantParams>& quant() const { return quant_; }
  void set_quant(std::optional<QuantParams> q) { quant_ = std::move(q); }

  Node* producer() const { return producer_; }
  const std::vector<Use>& uses() const { return uses_; }

 private:
  friend class Graph;
  std::string name_;
  DType dtype_ = DType::kF32;
  Shape shape_;
  bool shape_known_ = false;
  std::unique_ptr<Tensor> constant_;
  std::optional<QuantParams> quant_;
  Node* producer_ = nullptr;
  std::vector<Use> uses_;
};

class Node {
 public:
  OpKind op() const { return op_; }
  const std::string& name() const { return name_; }
  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  // Input i or nullptr when absent (omitted optional input or i out of range).
  Value* input(int i) const {
    return i < static_cast<int>(inputs_.size()) ? inputs_[static_cast<size_t>(i)] : nullptr;
  }
  Value* output(int i) const {
    return i < static_cast<int>(outputs_.size()) ? outputs_[static_cast<size_t>(i)] : nullptr;
  }
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  int num_outputs() const { return static_cast<int>(outputs_.size()); }

  const std::map<std::string, Attribute>& attrs() const { return attrs_; }
  std::map<std::string, Attribute>& mutable_attrs() { return attrs_; }
  bool HasAttr(const std::string& name) const { return attrs_.count(name) != 0; }
  const Attribute* FindAttr(const std::string& name) const;
  int64_t GetInt(const std::string& name, int64_t def) const;
  float GetFloat(const std::string& name, float def) const;
  std::string GetString(const std::string& name, const std::string& def) const;
  std::vector<int64_t> GetInts(const std::string& name, std::vector<int64_t> def = {}) const;
  std::vector<float> GetFloats(const std::string& name, std::vector<float> def = {}) const;
  void SetInt(const std::string& name, int64_t v);
  void SetFloat(const std::string& name, float v);
  void SetString(const std::string& name, std::string v);
  void SetInts(const std::string& name, std::vector<int64_t> v);
  void SetFloats(const std::string& name, std::vector<float> v);

 private:
  friend class Graph;
  OpKind op_ = OpKind::kIdentity;
  std::string name_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::map<std::string, Attribute> attrs_;
};

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // New value; `name` must be unique in the graph (use UniqueName when unsure). Returns nullptr
  // if the name is taken.
  Value* AddValue(const std::string& name, DType dtype = DType::kF32);
  Value* AddValue(const std::string& name, DType dtype, Shape shape);
  // New constant value holding `t`.
  Value* AddConstant(const std::string& name, Tensor t);
  // New node; wires producer/uses. Outputs must not have a producer yet.
  Node* AddNode(OpKind op, const std::string& name, std::vector<Value*> inputs,
                std::vector<Value*> outputs);
  // Rewires input `index` of `node` (value may be nullptr for "absent").
  void SetInput(Node* node, int index, Value* value);
  void AddInput(Node* node, Value* value);
  // Removes the node; its outputs lose their producer (callers usually remove them too).
  void RemoveNode(Node* node);
  // Removes a value that has no producer and no uses and is not a graph input/output.
  void RemoveValue(Value* value);
  // Makes every use of `from` (node inputs and graph outputs) use `to` instead.
  void ReplaceAllUsesWith(Value* from, Value* to);
  // Removes values without producer, uses, or graph input/output role (except graph inputs).
  void RemoveUnusedValues();

  // Nodes in a topological order (ties keep insertion order). If the graph has a cycle, the nodes
  // on it are left out; Verify reports cycles.
  std::vector<Node*> TopoOrder() const;

  Value* FindValue(const std::string& name) const;
  Node* FindNode(const std::string& name) const;
  // "prefix", or "prefix_1", "prefix_2", ... whichever is not yet a value/node name.
  std::string UniqueName(const std::string& prefix) const;

  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  const std::vector<std::unique_ptr<Value>>& values() const { return values_; }
  std::vector<Value*>& inputs() { return inputs_; }
  const std::vector<Value*>& inputs() const { return inputs_; }
  std::vector<Value*>& outputs() { return outputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }

  // Where the graph came from (a file path); used to prefix error messages.
  const std::string& source() const { return source_; }
  void set_source(std::string s) { source_ = std::move(s); }
  const std::string& name() const { return name_; }
  void set_name(std::string s) { name_ = std::move(s); }
  // ONNX default-domain opset the graph was imported with.
  int64_t opset() const { return opset_; }
  void set_opset(int64_t v) { opset_ = v; }

  // "model.onnx: node 'conv3' (Conv): " - the prefix for errors about `node` (or "model.onnx: ").
  std::string Where(const Node* node = nullptr) const;

  // Deep copy (constants included).
  std::unique_ptr<Graph> Clone() const;

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::unique_ptr<Value>> values_;
  std::map<std::string, Value*> value_by_name_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::string source_;
  std::string name_;
  int64_t opset_ = 13;
};

// Checks the structural invariants: unique value names, single producer per value, consistent use
// lists, no cycles, every node input produced/constant/graph input, known shapes with dims >= 0,
// constant tensors matching their value's dtype/shape, quant params (scale > 0 and finite, zero
// point in the storage type's range). Returns InvalidModel naming the first offending node/value.
Status Verify(const Graph& graph);

// Human-readable listing: inputs, outputs, one line per node in topological order.
std::string PrintGraph(const Graph& graph);

// Number of multiply-accumulates of one node (0 for ops without MACs) from its static shapes.
int64_t NodeMacs(const Node& node);
// Number of elements in constant (weight/bias) inputs of a node.
int64_t NodeParams(const Node& node);

}  // namespace tinyq

#endif  // TINYQ_IR_H_
