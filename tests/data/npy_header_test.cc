#include "src/data/npy_header.h"

#include <gtest/gtest.h>

namespace tinyq {
namespace data {
namespace {

TEST(NpyHeaderTest, ParsesNumpyStyleHeader) {
  auto h = ParseNpyHeaderDict("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }   \n");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->descr, "<f4");
  EXPECT_FALSE(h->fortran_order);
  EXPECT_EQ(h->shape, (Shape{3, 4}));
}

TEST(NpyHeaderTest, AcceptsKeyOrderQuotesScalarAndOneDim) {
  auto a = ParseNpyHeaderDict("{\"shape\":(7,),\"fortran_order\":True,\"descr\":\"|u1\"}");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->shape, (Shape{7}));
  EXPECT_TRUE(a->fortran_order);
  EXPECT_EQ(a->descr, "|u1");
  auto s = ParseNpyHeaderDict("{'descr': '<f8', 'fortran_order': False, 'shape': ()}");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->shape.empty());
  auto z = ParseNpyHeaderDict("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3,)}");
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  EXPECT_EQ(z->shape, (Shape{0, 3}));
}

void ExpectRejected(const std::string& text, const std::string& fragment) {
  auto h = ParseNpyHeaderDict(text);
  ASSERT_FALSE(h.ok()) << text;
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(h.status().message().find(fragment), std::string::npos)
      << "'" << fragment << "' not in: " << h.status().message();
}

TEST(NpyHeaderTest, RejectsMissingDuplicateAndUnknownKeys) {
  ExpectRejected("{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'");
  ExpectRejected("{'descr': '<f4', 'shape': (1,)}", "missing key 'fortran_order'");
  ExpectRejected("{'fortran_order': False, 'shape': (1,)}", "missing key 'descr'");
  ExpectRejected("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
                 "duplicate key 'descr'");
  ExpectRejected("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
                 "unexpected key 'extra'");
}

TEST(NpyHeaderTest, RejectsBadShapes) {
  const std::string pre = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
  ExpectRejected(pre + "(-1, 3)}", "negative");
  ExpectRejected(pre + "(99999999999999999999,)}", "too large");
  ExpectRejected(pre + "(3)}", "not a tuple");
  ExpectRejected(pre + "[3]}", "shape must be a tuple");
  ExpectRejected(pre + "(3 4)}", "expected ',' or ')'");
  ExpectRejected(pre + "(3.5,)}", "expected ',' or ')'");
  ExpectRejected(pre + "(3,", "expected a dimension");
}

TEST(NpyHeaderTest, RejectsMalformedSyntax) {
  ExpectRejected("", "expected '{'");
  ExpectRejected("{'descr': '<f4', 'fortran_order': false, 'shape': ()}", "True or False");
  ExpectRejected("{'descr': '<f4' 'fortran_order': False, 'shape': ()}", "expected ',' or '}'");
  ExpectRejected("{'descr' '<f4', 'fortran_order': False, 'shape': ()}", "expected ':'");
  ExpectRejected("{'descr': '<f4', 'fortran_order': False, 'shape': ()} x", "after the closing");
  ExpectRejected("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", "structured");
  ExpectRejected("{'descr': '<f\\x34', 'fortran_order': False, 'shape': ()}", "character");
  ExpectRejected("{'descr': '<f4", "unterminated");
}

TEST(NpyHeaderTest, FormatMatchesNumpyLayout) {
  EXPECT_EQ(FormatNpyHeaderDict("<f4", false, {3}),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
  EXPECT_EQ(FormatNpyHeaderDict("|u1", true, {}),
            "{'descr': '|u1', 'fortran_order': True, 'shape': (), }");
  EXPECT_EQ(FormatNpyHeaderDict("<i8", false, {2, 5}),
            "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 5), }");
}

}  // namespace
}  // namespace data
}  // namespace tinyq
