// Tests of src/codegen/sha256.h against the FIPS 180-4 example vectors (also `sha256sum`).
#include "src/codegen/sha256.h"

#include <gtest/gtest.h>

namespace tinyq::codegen {
namespace {

TEST(Sha256Test, FipsExamples) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, MissingFileIsNotFound) {
  EXPECT_EQ(Sha256OfFile("/nonexistent/model.onnx").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tinyq::codegen
