// int8_kernels.cc - the registration table of the int8 executor's node kernels (ExecMode::kInt8
// and kFloatFallback).
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
  AppendInt8FloatFallbackKernels(table);
}

}  // namespace tinyq
