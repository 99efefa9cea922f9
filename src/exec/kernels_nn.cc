#include "src/exec/kernel.h"

namespace tinyq {

void AppendNnKernels(std::vector<KernelRegistration>* table) { (void)table; }

}  // namespace tinyq
