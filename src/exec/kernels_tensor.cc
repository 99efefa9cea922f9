#include "src/exec/kernel.h"

namespace tinyq {

void AppendTensorKernels(std::vector<KernelRegistration>* table) { (void)table; }

}  // namespace tinyq
