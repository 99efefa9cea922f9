#include "src/exec/elementwise_math.h"

#include <gtest/gtest.h>

#include <limits>

namespace tinyq {
namespace {

TEST(SaturatingFloatToIntTest, BoundariesOfS32) {
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(SaturatingFloatToInt<int32_t>(2147483647.0), kMax);
  EXPECT_EQ(SaturatingFloatToInt<int32_t>(2147483647.9), kMax);
  EXPECT_EQ(SaturatingFloatToInt<int32_t>(2147483648.0), kMax);
  EXPECT_EQ(SaturatingFloatToInt<int32_t>(-2147483648.9), kMin);
  EXPECT_EQ(SaturatingFloatToInt<int32_t>(-2147483649.0), kMin);
  EXPECT_EQ(SaturatingFloatToInt<int32_t>(-2147483647.5), -2147483647);
}

TEST(SaturatingFloatToIntTest, UnsignedAndS64) {
  EXPECT_EQ(SaturatingFloatToInt<uint8_t>(-0.99f), 0);
  EXPECT_EQ(SaturatingFloatToInt<uint8_t>(255.9f), 255);
  EXPECT_EQ(SaturatingFloatToInt<uint8_t>(256.0f), 255);
  EXPECT_EQ(SaturatingFloatToInt<int64_t>(9.2233720368547758e18),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(SaturatingFloatToInt<int64_t>(-9.2233720368547758e18),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(SaturatingFloatToInt<int64_t>(-4.5e18), -4500000000000000000LL);
}

TEST(IntPowTest, WrapsLikeRepeatedMultiplication) {
  EXPECT_EQ(IntPow<int32_t>(3, 4), 81);
  EXPECT_EQ(IntPow<int32_t>(2, 31), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(IntPow<int32_t>(2, 32), 0);
  EXPECT_EQ(IntPow<int64_t>(-2, 63), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(IntPow<int64_t>(0, 0), 1);
  EXPECT_EQ(IntPow<int64_t>(0, -1), 0);
  EXPECT_EQ(IntPow<int64_t>(-1, -4), 1);
}

TEST(DivFnTest, IntegerEdgeCasesAreDefined) {
  EXPECT_EQ(DivFn<int64_t>()(-9, 4), -2);
  EXPECT_EQ(DivFn<int64_t>()(9, 0), 0);
  EXPECT_EQ(DivFn<int64_t>()(std::numeric_limits<int64_t>::min(), -1),
            std::numeric_limits<int64_t>::min());
}

TEST(CastArrayTest, S8ToU8Wraps) {
  const int8_t in[3] = {-1, -128, 127};
  uint8_t out[3];
  CastArray(DType::kS8, in, DType::kU8, out, 3);
  EXPECT_EQ(out[0], 255);
  EXPECT_EQ(out[1], 128);
  EXPECT_EQ(out[2], 127);
}

}  // namespace
}  // namespace tinyq
