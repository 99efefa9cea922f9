// Lowering of the elementwise binary ops: int8 Add / Mul (tq_add_s8 / tq_mul_s8 with the
// executor's parameters, src/exec/int8_params.h) and float-fallback Add / Sub / Mul / Div
// (tq_binary_f32). Both read their operands through 4-D element strides in the output's storage
// order (0 along broadcast axes): a channel-last [1,C,H,W] times a [1,C,1,1] is a per-channel
// broadcast over the NHWC bytes. An operand may be a constant, emitted as a const array in its
// NCHW order (its strides are computed from that order).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "src/codegen/lower_internal.h"
#include "src/exec/float_fallback_plan.h"
#include "src/exec/int8_params.h"

namespace tinyq {
namespace codegen {
namespace {

// Element strides of input `in` read at the output's indices, in the output's storage axis order
// padded to 4-D {n, h, w, c} (0 along broadcast axes); also the output's storage extents. False
// when the input does not broadcast to `ys` or its storage cannot be expressed this way.
bool BroadcastStorage(const CgValue& in, const Shape& ys, bool out_cl, int64_t dims[4],
                      int64_t st[4]) {
  const size_t r = ys.size();
  if (in.shape.size() > r || in.flat_c > 0) return false;
  Shape xs(r - in.shape.size(), 1);
  xs.insert(xs.end(), in.shape.begin(), in.shape.end());
  std::vector<size_t> in_order(r), out_order(r);  // storage axis k holds NCHW dim order[k]
  std::iota(in_order.begin(), in_order.end(), 0);
  std::iota(out_order.begin(), out_order.end(), 0);
  if (r >= 3) {
    std::rotate(out_order.begin() + 1, out_order.begin() + 2, out_order.end());
    if (!out_cl) return false;
    if (in.channel_last && !ChannelLastIsTrivial(in.shape)) {
      if (in.shape.size() != r) return false;
      in_order = out_order;
    }
  }
  std::vector<int64_t> stride(r, 0);
  int64_t run = 1;
  for (size_t k = r; k-- > 0;) {
    const size_t d = in_order[k];
    if (xs[d] != ys[d] && xs[d] != 1) return false;
    stride[d] = xs[d] == 1 ? 0 : run;
    run *= xs[d];
  }
  for (size_t k = 0; k < 4; ++k) {
    const bool pad = k < 4 - r;
    dims[k] = pad ? 1 : ys[out_order[k - (4 - r)]];
    st[k] = pad ? 0 : stride[out_order[k - (4 - r)]];
  }
  return true;
}

std::string StridesLiteral(const int64_t s[4]) {
  return "{" + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ", " + std::to_string(s[2]) +
         ", " + std::to_string(s[3]) + "}";
}

// The operands of a binary node as the runtime reads them.
struct BinaryOperands {
  int vid[2] = {-1, -1};  // program values of activation operands
  std::string sym[2];     // const arrays of constant operands
  std::vector<int> reads;
  int64_t dims[4], s1[4], s2[4];  // output storage extents and operand strides
  bool out_cl = false;            // the output is stored channel-last
  int64_t flat_c = 0;             // of the output (elementwise over a flattened value)
  std::string head;               // "static const tq_dims d = ...; tq_strides s1 = ..., s2 = ...;"
  std::string Operand(const StepPointers& ptr, int i) const {
    return vid[i] < 0 ? sym[i] : (i == 0 ? ptr.reads[0] : ptr.reads.back());
  }
};

// `dtype` is the element type of the node's operands (kS8 or kF32): constants of another type
// are refused.
StatusOr<BinaryOperands> PlanOperands(Lowering& l, const Node& node, DType dtype) {
  const Graph& g = l.g;
  const Shape& ys = node.output(0)->shape();
  if (!node.input(0) || !node.input(1) || ys.size() > 4)
    return Unsupported(g.Where(&node) + "codegen supports " + OpKindName(node.op()) +
                       " up to 4-D only");
  BinaryOperands b;
  CgValue op[2];
  for (int i = 0; i < 2; ++i) {
    const Value* v = node.input(i);
    if (v->is_constant()) {
      if (v->dtype() != dtype)
        return Unsupported(g.Where(&node) + "constant operand '" + v->name() + "' is not " +
                           DTypeName(dtype));
      const Tensor& t = *v->constant();
      if (dtype == DType::kS8) {
        b.sym[i] =
            l.p.consts.AddS8(std::vector<int8_t>(t.data<int8_t>(), t.data<int8_t>() + t.numel()));
      } else {
        const std::vector<float> f(t.data<float>(), t.data<float>() + t.numel());
        for (float x : f)
          if (!std::isfinite(x))
            return Unsupported(g.Where(&node) + "constant operand '" + v->name() +
                               "' has a non-finite value");
        b.sym[i] = l.p.consts.AddF32(f);
      }
      op[i].shape = v->shape();
    } else {
      TQ_ASSIGN_OR_RETURN(b.vid[i], l.In(node, i));
      op[i] = l.V(b.vid[i]);
      b.reads.push_back(b.vid[i]);
    }
  }
  if (b.reads.empty()) return Unsupported(g.Where(&node) + "both operands are constants");
  const CgValue& va = op[0];
  const CgValue& vb = op[1];
  const bool same = va.shape == ys && vb.shape == ys && va.channel_last == vb.channel_last &&
                    va.flat_c == vb.flat_c &&
                    (b.reads.size() == 2 || ChannelLastIsTrivial(ys) || !va.channel_last);
  b.out_cl = same ? va.channel_last : ys.size() >= 3;
  if (same) {  // dense, any layout: elementwise over the elements
    b.dims[0] = b.dims[1] = b.dims[2] = 1;
    b.dims[3] = NumElements(ys);
    b.s1[0] = b.s1[1] = b.s1[2] = 0;
    b.s1[3] = 1;
    std::copy(b.s1, b.s1 + 4, b.s2);
    b.flat_c = va.flat_c;
  } else if (!BroadcastStorage(va, ys, b.out_cl, b.dims, b.s1) ||
             !BroadcastStorage(vb, ys, b.out_cl, b.dims, b.s2)) {
    return Unsupported(g.Where(&node) + "codegen cannot broadcast " + ShapeToString(va.shape) +
                       " and " + ShapeToString(vb.shape) + " in their storage layouts");
  }
  b.head =
      "    static const tq_dims d = " + DimsLiteral(b.dims[0], b.dims[1], b.dims[2], b.dims[3]) +
      ";\n" + "    static const tq_strides s1 = " + StridesLiteral(b.s1) +
      ", s2 = " + StridesLiteral(b.s2) + ";\n";
  return b;
}

// Adds the step `fn(&p, &d, A, &s1, B, &s2, Y)` (in place over operand A when it dies there).
void AddBinaryStep(Lowering& l, const Node& node, const BinaryOperands& b,
                   const std::string& params, const std::string& fn) {
  const int yi = l.Out(node, 0, b.out_cl);
  l.p.values[static_cast<size_t>(yi)].flat_c = b.flat_c;
  const std::string head = params + b.head;
  CgStep& s = l.AddStep(&node, b.reads, {yi}, [=](const StepPointers& ptr) {
    return head + "    " + fn + "(&p, &d, " + b.Operand(ptr, 0) + ", &s1, " + b.Operand(ptr, 1) +
           ", &s2, " + ptr.writes[0] + ");\n";
  });
  s.inplace_input = 0;
}

}  // namespace

Status LowerBinaryS8(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(BinaryOperands b, PlanOperands(l, node, DType::kS8));
  std::ostringstream p;
  if (node.op() == OpKind::kAdd) {
    TQ_ASSIGN_OR_RETURN(tq_add_params a, MakeAddParamsS8(l.g, node));
    p << "    static const tq_add_params p = {" << a.input1_offset << ", " << a.input1_multiplier
      << ", " << a.input1_shift << ", " << a.input2_offset << ", " << a.input2_multiplier << ", "
      << a.input2_shift << ", " << a.left_shift << ", " << a.output_multiplier << ", "
      << a.output_shift << ", " << a.output_offset << ", " << ActLiteral(a.activation) << "};\n";
  } else {
    TQ_ASSIGN_OR_RETURN(tq_mul_params m, MakeMulParamsS8(l.g, node));
    p << "    static const tq_mul_params p = {" << m.input1_offset << ", " << m.input2_offset
      << ", " << m.output_multiplier << ", " << m.output_shift << ", " << m.output_offset << ", "
      << ActLiteral(m.activation) << "};\n";
  }
  AddBinaryStep(l, node, b, p.str(), node.op() == OpKind::kAdd ? "tq_add_s8" : "tq_mul_s8");
  return Status::Ok();
}

Status LowerBinaryF32(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(tq_binary_f32_params bp, PlanBinaryF32(l.g, node));
  TQ_ASSIGN_OR_RETURN(BinaryOperands b, PlanOperands(l, node, DType::kF32));
  for (int v : b.reads)
    if (l.V(v).dtype != DType::kF32)
      return Unsupported(l.g.Where(&node) + "operands must be f32 values");
  const std::string p = "    static const tq_binary_f32_params p = {" + std::to_string(bp.op) +
                        ", " + ClampLiteral(bp.activation) + "};\n";
  AddBinaryStep(l, node, b, p, "tq_binary_f32");
  return Status::Ok();
}

}  // namespace codegen
}  // namespace tinyq
