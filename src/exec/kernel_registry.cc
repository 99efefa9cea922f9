#include <mutex>

#include "src/exec/kernel.h"

namespace tinyq {

const KernelRegistration* FindKernel(OpKind op, ExecMode mode) {
  // Built once from the explicit per-group tables (no static-initialisation registration).
  static const std::vector<KernelRegistration> table = [] {
    std::vector<KernelRegistration> t;
    AppendNnKernels(&t);
    AppendElementwiseKernels(&t);
    AppendTensorKernels(&t);
    AppendInt8Kernels(&t);
    return t;
  }();
  for (const KernelRegistration& r : table)
    if (r.op == op && r.mode == mode) return &r;
  return nullptr;
}

}  // namespace tinyq
