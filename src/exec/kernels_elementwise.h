// src/exec/kernels_elementwise.h - the two halves of the elementwise kernel group
// (AppendElementwiseKernels in kernel.h calls both).
#ifndef TINYQ_SRC_EXEC_KERNELS_ELEMENTWISE_H_
#define TINYQ_SRC_EXEC_KERNELS_ELEMENTWISE_H_

#include <memory>
#include <utility>
#include <vector>

#include "src/exec/kernel.h"

namespace tinyq {

// Add, Sub, Mul, Div, Max, Min, Pow, PRelu (numpy broadcasting; kernels_binary.cc).
void AppendBinaryKernels(std::vector<KernelRegistration>* table);
// Activations, Neg, Abs, Clip, Identity, Dropout, Cast (kernels_unary.cc).
void AppendUnaryKernels(std::vector<KernelRegistration>* table);

// std::make_unique<K>(args...) upcast to the KernelInstance pointer prepare returns.
template <typename K, typename... Args>
std::unique_ptr<KernelInstance> MakeUnique(Args&&... args) {
  return std::make_unique<K>(std::forward<Args>(args)...);
}

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_KERNELS_ELEMENTWISE_H_
