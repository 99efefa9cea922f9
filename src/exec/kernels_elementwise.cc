#include "src/exec/kernels_elementwise.h"

namespace tinyq {

void AppendElementwiseKernels(std::vector<KernelRegistration>* table) {
  AppendBinaryKernels(table);
  AppendUnaryKernels(table);
}

}  // namespace tinyq
