// The strided-copy engine (src/exec/strided_copy.cc) against a naive per-element loop.
#include "src/exec/strided_copy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

namespace tinyq {
namespace {

// dst[dst_off + sum i*ds] = src[src_off + sum i*ss], one element at a time.
void NaiveCopy(const std::vector<int64_t>& shape, const std::vector<int64_t>& ss,
               const std::vector<int64_t>& ds, int64_t src_off, int64_t dst_off, size_t elem,
               const uint8_t* src, uint8_t* dst) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rem = flat, so = src_off, dof = dst_off;
    for (size_t k = shape.size(); k-- > 0;) {
      const int64_t i = rem % shape[k];
      rem /= shape[k];
      so += i * ss[k];
      dof += i * ds[k];
    }
    std::memcpy(dst + dof * static_cast<int64_t>(elem), src + so * static_cast<int64_t>(elem),
                elem);
  }
}

std::vector<int64_t> Strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

TEST(StridedCopyTest, CoalescesNchwToNhwcIntoBatched2dTranspose) {
  // out [N,H,W,C] = in [N,C,H,W] permuted: H and W merge, N stays apart.
  const std::vector<int64_t> out = {2, 5, 6, 3};
  const std::vector<int64_t> in_stride = Strides({2, 3, 5, 6});
  StridedCopyPlan p = MakeStridedCopyPlan(
      out, {in_stride[0], in_stride[2], in_stride[3], in_stride[1]}, Strides(out), 0, 0, 4);
  EXPECT_EQ(p.shape, (std::vector<int64_t>{2, 30, 3}));
  EXPECT_EQ(p.src_stride, (std::vector<int64_t>{90, 1, 30}));
}

TEST(StridedCopyTest, ContiguousCopyCoalescesToOneDim) {
  StridedCopyPlan p = MakeStridedCopyPlan({2, 1, 3}, {3, 3, 1}, {3, 3, 1}, 0, 0, 1);
  EXPECT_EQ(p.shape, (std::vector<int64_t>{6}));
}

// Random boxes inside a random source: permuted strides (transposes, both fast paths and the
// generic loop), negative strides (reversed slices), offsets, every element size.
TEST(StridedCopyTest, RandomPermutedAndReversedBoxesMatchNaiveCopy) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 400; ++trial) {
    const size_t rank = 1 + rng() % 5;
    const size_t elem = size_t{1} << (rng() % 4);
    std::vector<int64_t> src_shape(rank);
    for (auto& d : src_shape) d = 1 + static_cast<int64_t>(rng() % 6);
    if (trial % 7 == 0) src_shape[0] = 40;  // exercises multi-tile transposes
    const std::vector<int64_t> src_stride = Strides(src_shape);
    // A permutation of the source dims, each optionally reversed (stride < 0, offset at the end).
    std::vector<size_t> perm(rank);
    for (size_t i = 0; i < rank; ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<int64_t> box, ss;
    int64_t src_off = 0;
    for (size_t i = 0; i < rank; ++i) {
      const size_t d = perm[i];
      box.push_back(src_shape[d]);
      const bool reverse = rng() % 4 == 0;
      ss.push_back(reverse ? -src_stride[d] : src_stride[d]);
      if (reverse) src_off += (src_shape[d] - 1) * src_stride[d];
    }
    // Destination: the box placed inside a larger buffer (like Pad), at an offset.
    std::vector<int64_t> dst_shape = box;
    for (auto& d : dst_shape) d += rng() % 3;
    const std::vector<int64_t> ds = Strides(dst_shape);
    int64_t dst_off = 0;
    for (size_t i = 0; i < rank; ++i) dst_off += (dst_shape[i] - box[i]) / 2 * ds[i];

    int64_t src_n = 1, dst_n = 1;
    for (int64_t d : src_shape) src_n *= d;
    for (int64_t d : dst_shape) dst_n *= d;
    std::vector<uint8_t> src(static_cast<size_t>(src_n) * elem);
    for (auto& b : src) b = static_cast<uint8_t>(rng());
    std::vector<uint8_t> want(static_cast<size_t>(dst_n) * elem, 0xAB), got = want;
    NaiveCopy(box, ss, ds, src_off, dst_off, elem, src.data(), want.data());
    RunStridedCopy(MakeStridedCopyPlan(box, ss, ds, src_off, dst_off, elem), src.data(),
                   got.data());
    ASSERT_EQ(got, want) << "trial " << trial << " rank " << rank << " elem " << elem;
  }
}

TEST(StridedCopyTest, EmptyBoxCopiesNothing) {
  std::vector<uint8_t> dst(4, 7);
  const std::vector<uint8_t> src(4, 1);
  RunStridedCopy(MakeStridedCopyPlan({2, 0}, {2, 1}, {2, 1}, 0, 0, 1), src.data(), dst.data());
  EXPECT_EQ(dst, (std::vector<uint8_t>{7, 7, 7, 7}));
}

}  // namespace
}  // namespace tinyq
