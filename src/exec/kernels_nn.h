// src/exec/kernels_nn.h - the groups of float kernels that make up AppendNnKernels, and the
// checks their prepare functions share.
#ifndef TINYQ_SRC_EXEC_KERNELS_NN_H_
#define TINYQ_SRC_EXEC_KERNELS_NN_H_

#include <vector>

#include "src/exec/kernel.h"

namespace tinyq {

void AppendConvKernels(std::vector<KernelRegistration>* table);    // Conv, ConvTranspose
void AppendGemmKernels(std::vector<KernelRegistration>* table);    // Gemm, MatMul
void AppendPoolKernels(std::vector<KernelRegistration>* table);    // Max/Average/Global pools
void AppendNormKernels(std::vector<KernelRegistration>* table);    // Batch/InstanceNormalization
void AppendResizeKernels(std::vector<KernelRegistration>* table);  // Resize
void AppendSoftmaxReduceKernels(std::vector<KernelRegistration>* table);  // Softmax, Reduce*

// Checks that inputs [0, required) are present, that the first `f32_inputs` inputs (when present)
// and output 0 are f32, and that output 0 has `expected` as its shape. InvalidModel/Unsupported
// prefixed with graph.Where(&node).
Status CheckNnNode(const Graph& graph, const Node& node, int required, int f32_inputs,
                   const Shape& expected);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_KERNELS_NN_H_
