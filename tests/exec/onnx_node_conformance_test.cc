// Runs the float nn kernels against the ONNX backend node tests shipped by Debian's
// libonnx-testdata (/usr/share/libonnx-testdata/data/node/test_*: model.onnx + test_data_set_0).
// Each case builds a one-node tinyq Graph from the model by hand (the first input is fed, the
// others become constants, as weights are after import), infers its shapes, runs it with the
// Executor and compares with the reference output: |got - want| <= 1e-4 + 1e-3 * |want|.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "src/ir/shape_inference.h"
#include "tests/exec/onnx_node_case.h"
#include "tinyq/executor.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace {

using testing::LoadCase;
using testing::NodeCase;

// Infers shapes, prepares and runs; returns the first failing Status.
StatusOr<TensorMap> RunCase(NodeCase& c) {
  TQ_RETURN_IF_ERROR(InferNodeShapes(*c.graph, *c.graph->nodes()[0]));
  TQ_ASSIGN_OR_RETURN(auto exec, Executor::Create(*c.graph));
  return exec->Run(c.feeds);
}

class OnnxNodeConformanceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxNodeConformanceTest, MatchesReferenceOutput) {
  NodeCase c = LoadCase(GetParam());
  ASSERT_FALSE(::testing::Test::HasFailure());
  StatusOr<TensorMap> got = RunCase(c);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  testing::ExpectClose(got->at(c.graph->outputs()[0]->name()), c.expected[0], 1e-4f, 1e-3f);
}

INSTANTIATE_TEST_SUITE_P(
    NnOps, OnnxNodeConformanceTest,
    ::testing::Values(
        "test_averagepool_1d_default", "test_averagepool_2d_ceil", "test_averagepool_2d_default",
        "test_averagepool_2d_pads", "test_averagepool_2d_pads_count_include_pad",
        "test_averagepool_2d_precomputed_pads",
        "test_averagepool_2d_precomputed_pads_count_include_pad",
        "test_averagepool_2d_precomputed_same_upper", "test_averagepool_2d_precomputed_strides",
        "test_averagepool_2d_same_lower", "test_averagepool_2d_same_upper",
        "test_averagepool_2d_strides", "test_averagepool_3d_default",
        "test_basic_conv_with_padding", "test_basic_conv_without_padding", "test_batchnorm_epsilon",
        "test_batchnorm_example", "test_conv_with_autopad_same",
        "test_conv_with_strides_and_asymmetric_padding", "test_conv_with_strides_no_padding",
        "test_conv_with_strides_padding", "test_convtranspose", "test_convtranspose_1d",
        "test_convtranspose_3d", "test_convtranspose_autopad_same", "test_convtranspose_dilations",
        "test_convtranspose_kernel_shape", "test_convtranspose_output_shape",
        "test_convtranspose_pad", "test_convtranspose_pads", "test_convtranspose_with_kernel",
        "test_gemm_all_attributes", "test_gemm_alpha", "test_gemm_beta",
        "test_gemm_default_matrix_bias", "test_gemm_default_no_bias",
        "test_gemm_default_scalar_bias", "test_gemm_default_single_elem_vector_bias",
        "test_gemm_default_vector_bias", "test_gemm_default_zero_bias", "test_gemm_transposeA",
        "test_gemm_transposeB", "test_globalaveragepool", "test_globalaveragepool_precomputed",
        "test_globalmaxpool", "test_globalmaxpool_precomputed", "test_instancenorm_epsilon",
        "test_instancenorm_example", "test_logsoftmax_axis_0", "test_logsoftmax_axis_1",
        "test_logsoftmax_axis_2", "test_logsoftmax_default_axis", "test_logsoftmax_example_1",
        "test_logsoftmax_large_number", "test_logsoftmax_negative_axis", "test_matmul_2d",
        "test_matmul_3d", "test_matmul_4d", "test_maxpool_1d_default", "test_maxpool_2d_ceil",
        "test_maxpool_2d_default", "test_maxpool_2d_dilations", "test_maxpool_2d_pads",
        "test_maxpool_2d_precomputed_pads", "test_maxpool_2d_precomputed_same_upper",
        "test_maxpool_2d_precomputed_strides", "test_maxpool_2d_same_lower",
        "test_maxpool_2d_same_upper", "test_maxpool_2d_strides", "test_maxpool_3d_default",
        "test_reduce_max_default_axes_keepdim_example",
        "test_reduce_max_default_axes_keepdims_random", "test_reduce_max_do_not_keepdims_example",
        "test_reduce_max_do_not_keepdims_random", "test_reduce_max_keepdims_example",
        "test_reduce_max_keepdims_random", "test_reduce_max_negative_axes_keepdims_example",
        "test_reduce_max_negative_axes_keepdims_random",
        "test_reduce_mean_default_axes_keepdims_example",
        "test_reduce_mean_default_axes_keepdims_random", "test_reduce_mean_do_not_keepdims_example",
        "test_reduce_mean_do_not_keepdims_random", "test_reduce_mean_keepdims_example",
        "test_reduce_mean_keepdims_random", "test_reduce_mean_negative_axes_keepdims_example",
        "test_reduce_mean_negative_axes_keepdims_random",
        "test_reduce_sum_default_axes_keepdims_example",
        "test_reduce_sum_default_axes_keepdims_random", "test_reduce_sum_do_not_keepdims_example",
        "test_reduce_sum_do_not_keepdims_random", "test_reduce_sum_empty_axes_input_noop_example",
        "test_reduce_sum_empty_axes_input_noop_random", "test_reduce_sum_keepdims_example",
        "test_reduce_sum_keepdims_random", "test_reduce_sum_negative_axes_keepdims_example",
        "test_reduce_sum_negative_axes_keepdims_random", "test_resize_downsample_scales_linear",
        "test_resize_downsample_scales_linear_align_corners",
        "test_resize_downsample_scales_nearest",
        "test_resize_downsample_sizes_linear_pytorch_half_pixel",
        "test_resize_downsample_sizes_nearest", "test_resize_upsample_scales_linear",
        "test_resize_upsample_scales_linear_align_corners", "test_resize_upsample_scales_nearest",
        "test_resize_upsample_sizes_nearest", "test_resize_upsample_sizes_nearest_ceil_half_pixel",
        "test_resize_upsample_sizes_nearest_floor_align_corners",
        "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric", "test_softmax_axis_0",
        "test_softmax_axis_1", "test_softmax_axis_2", "test_softmax_default_axis",
        "test_softmax_example", "test_softmax_large_number", "test_softmax_negative_axis"),
    [](const ::testing::TestParamInfo<std::string>& info) { return info.param.substr(5); });

// Cases tinyq deliberately refuses: they must fail with Unsupported, never run wrongly.
class OnnxNodeUnsupportedTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxNodeUnsupportedTest, IsRefusedAsUnsupported) {
  NodeCase c = LoadCase(GetParam());
  ASSERT_FALSE(::testing::Test::HasFailure());
  StatusOr<TensorMap> got = RunCase(c);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnsupported) << got.status().ToString();
  EXPECT_NE(got.status().message().find(GetParam()), std::string::npos)
      << "message must name the model: " << got.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    NnOps, OnnxNodeUnsupportedTest,
    ::testing::Values("test_resize_downsample_scales_cubic", "test_resize_upsample_sizes_cubic",
                      "test_resize_tf_crop_and_resize", "test_batchnorm_example_training_mode",
                      "test_maxpool_with_argmax_2d_precomputed_pads", "test_maxpool_2d_uint8"),
    [](const ::testing::TestParamInfo<std::string>& info) { return info.param.substr(5); });

}  // namespace
}  // namespace tinyq
