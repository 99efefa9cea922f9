// int8_kernels.cc - the registration table of the int8 node kernels (ExecMode::kInt8).
#include "src/exec/int8_common.h"

namespace tinyq {

void AppendInt8Kernels(std::vector<KernelRegistration>* table) {
  AppendInt8ConvKernels(table);
  AppendInt8GemmKernels(table);
  AppendInt8BinaryKernels(table);
  AppendInt8PoolKernels(table);
  AppendInt8LutKernels(table);
  AppendInt8SoftmaxKernels(table);
  AppendInt8TensorKernels(table);
}

}  // namespace tinyq
