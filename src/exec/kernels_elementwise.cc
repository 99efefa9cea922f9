#include "src/exec/kernel.h"

namespace tinyq {

void AppendElementwiseKernels(std::vector<KernelRegistration>* table) { (void)table; }

}  // namespace tinyq
