// MatMulF32 for CPUs with AVX-512 (F, CD, BW, DQ, VL): the same Eigen code as gemm_f32.cc, built
// with -mavx512* (src/exec/CMakeLists.txt) so Eigen uses 16-float packets. gemm_f32.cc calls it
// only after checking the CPU at run time, so the binary still runs on CPUs without AVX-512.
//
// One definition rule: this file and gemm_f32.cc would instantiate the same Eigen templates with
// different code, and the linker keeps one copy of each inline function for the whole program -
// possibly this file's AVX-512 copy for callers on a CPU without it. Renaming Eigen's namespace
// for this file gives its instantiations names of their own; the CMake rule checks that this
// object defines no weak (inline) symbol outside that namespace.
#define Eigen TinyqEigenAvx512
#include "src/exec/gemm_f32.h"
#include "src/exec/gemm_f32_eigen.h"

namespace tinyq {

void MatMulF32Avx512(const float* a, const float* b, float* out, int64_t m, int64_t k, int64_t n,
                     bool trans_a, bool trans_b, float alpha, bool accumulate) {
  MatMulEigenF32(a, b, out, m, k, n, trans_a, trans_b, alpha, accumulate);
}

}  // namespace tinyq
