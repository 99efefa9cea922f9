// Tests of the int8 executor's float-fallback kernels (src/exec/int8_float_fallback.cc and the
// plans of src/exec/float_fallback_plan.cc): the ONNX backend node tests of the ops they cover,
// run through the int8 executor (a graph without quantized nodes runs every node on its
// kFloatFallback kernel), must match the reference outputs, with the plan accepted (so the C99
// runtime kernel ran, not the float executor's); configurations the runtime does not cover
// (3-D pools, dilated max pooling, batched MatMul, transA, an [M,N] bias) fall back to the float
// kernels and still match. (The bits of the runtime kernels are tested in tests/runtime; that the
// generated C gives the executor's bytes in tests/codegen/float_fallback_test.cc.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/exec/float_fallback_plan.h"
#include "src/ir/shape_inference.h"
#include "tests/exec/onnx_node_case.h"
#include "tinyq/executor.h"

namespace tinyq {
namespace {

// Whether the plan of the node's op accepts it (the runtime kernel runs).
bool PlanAccepts(const Graph& g, const Node& n) {
  switch (n.op()) {
    case OpKind::kConv:
      return PlanConvF32(g, n).ok();
    case OpKind::kGemm:
    case OpKind::kMatMul:
      return PlanFullyConnectedF32(g, n).ok();
    case OpKind::kBatchNormalization:
      return PlanBatchNormF32(g, n).ok();
    case OpKind::kSoftmax:
      return PlanSoftmaxF32(g, n).ok();
    default:
      return PlanPoolF32(g, n).ok();
  }
}

struct Case {
  const char* name;
  bool runtime;  // the runtime kernel covers it (else the float executor's kernel runs)
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class FloatFallbackConformanceTest : public ::testing::TestWithParam<Case> {};

TEST_P(FloatFallbackConformanceTest, MatchesReferenceOutput) {
  testing::NodeCase c = testing::LoadCase(GetParam().name);
  ASSERT_FALSE(::testing::Test::HasFailure());
  const Node& node = *c.graph->nodes()[0];
  ASSERT_TRUE(InferNodeShapes(*c.graph, node).ok());
  EXPECT_EQ(PlanAccepts(*c.graph, node), GetParam().runtime);
  auto exec = Executor::Create(*c.graph, {true, 1});
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  auto got = (*exec)->Run(c.feeds);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  testing::ExpectClose(got->at(c.graph->outputs()[0]->name()), c.expected[0], 1e-5f, 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(
    Ops, FloatFallbackConformanceTest,
    ::testing::Values(
        Case{"test_averagepool_1d_default", true}, Case{"test_averagepool_2d_ceil", true},
        Case{"test_averagepool_2d_default", true}, Case{"test_averagepool_2d_pads", true},
        Case{"test_averagepool_2d_pads_count_include_pad", true},
        Case{"test_averagepool_2d_precomputed_pads_count_include_pad", true},
        Case{"test_averagepool_2d_precomputed_same_upper", true},
        Case{"test_averagepool_2d_same_lower", true}, Case{"test_averagepool_2d_strides", true},
        Case{"test_averagepool_3d_default", false}, Case{"test_basic_conv_with_padding", true},
        Case{"test_basic_conv_without_padding", true}, Case{"test_batchnorm_epsilon", true},
        Case{"test_batchnorm_example", true}, Case{"test_conv_with_autopad_same", true},
        Case{"test_conv_with_strides_and_asymmetric_padding", true},
        Case{"test_conv_with_strides_no_padding", true},
        Case{"test_conv_with_strides_padding", true}, Case{"test_gemm_all_attributes", false},
        Case{"test_gemm_alpha", true}, Case{"test_gemm_beta", true},
        Case{"test_gemm_default_matrix_bias", false}, Case{"test_gemm_default_no_bias", true},
        Case{"test_gemm_default_scalar_bias", true},
        Case{"test_gemm_default_single_elem_vector_bias", true},
        Case{"test_gemm_default_vector_bias", true}, Case{"test_gemm_transposeA", false},
        Case{"test_gemm_transposeB", true}, Case{"test_globalaveragepool", true},
        Case{"test_globalmaxpool", true}, Case{"test_matmul_2d", true},
        Case{"test_matmul_3d", false}, Case{"test_maxpool_1d_default", true},
        Case{"test_maxpool_2d_ceil", true}, Case{"test_maxpool_2d_dilations", false},
        Case{"test_maxpool_2d_pads", true}, Case{"test_maxpool_2d_same_upper", true},
        Case{"test_maxpool_2d_strides", true}, Case{"test_softmax_axis_0", true},
        Case{"test_softmax_axis_1", true}, Case{"test_softmax_axis_2", true},
        Case{"test_softmax_default_axis", true}, Case{"test_softmax_large_number", true},
        Case{"test_softmax_negative_axis", true}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name + 5); });

}  // namespace
}  // namespace tinyq
