#include "src/data/npy_header.h"

#include <cstdint>

namespace tinyq {
namespace data {
namespace {

constexpr int64_t kMaxDim = int64_t{1} << 62;

// Recursive-descent reader over the header text; every method returns false after setting err_.
class DictParser {
 public:
  explicit DictParser(const std::string& text) : s_(text) {}

  StatusOr<NpyHeader> Parse() {
    NpyHeader h;
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    SkipSpace();
    if (!Expect('{')) return Error();
    while (true) {
      SkipSpace();
      if (Peek() == '}') break;
      std::string key;
      if (!ReadString(&key)) return Error();
      SkipSpace();
      if (!Expect(':')) return Error();
      SkipSpace();
      if (key == "descr") {
        if (seen_descr) return Fail("duplicate key 'descr'");
        seen_descr = true;
        if (Peek() == '[') return Fail("structured dtypes (descr is a list) are not supported");
        if (!ReadString(&h.descr)) return Error();
      } else if (key == "fortran_order") {
        if (seen_fortran) return Fail("duplicate key 'fortran_order'");
        seen_fortran = true;
        if (!ReadBool(&h.fortran_order)) return Error();
      } else if (key == "shape") {
        if (seen_shape) return Fail("duplicate key 'shape'");
        seen_shape = true;
        if (!ReadShape(&h.shape)) return Error();
      } else {
        return Fail("unexpected key '" + key + "' (expected descr, fortran_order, shape)");
      }
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() != '}') return Fail(Where("expected ',' or '}'"));
    }
    ++pos_;  // '}'
    SkipSpace();
    if (pos_ != s_.size()) return Fail(Where("unexpected text after the closing '}'"));
    if (!seen_descr) return Fail("missing key 'descr'");
    if (!seen_fortran) return Fail("missing key 'fortran_order'");
    if (!seen_shape) return Fail("missing key 'shape'");
    return h;
  }

 private:
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  std::string Where(const std::string& what) const {
    if (pos_ >= s_.size()) return what + " at end of header";
    return what + " at offset " + std::to_string(pos_) + " (found '" + s_[pos_] + "')";
  }
  bool Set(const std::string& msg) {
    if (err_.empty()) err_ = msg;
    return false;
  }
  Status Fail(const std::string& msg) { return InvalidArgument("npy header: " + msg); }
  Status Error() { return Fail(err_); }

  bool Expect(char c) {
    if (Peek() != c) return Set(Where(std::string("expected '") + c + "'"));
    ++pos_;
    return true;
  }

  bool ReadString(std::string* out) {
    char q = Peek();
    if (q != '\'' && q != '"') return Set(Where("expected a quoted string"));
    ++pos_;
    out->clear();
    while (pos_ < s_.size() && s_[pos_] != q) {
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '\\' || c < 0x20 || c >= 0x7f) {
        return Set(Where("unsupported character in string"));
      }
      out->push_back(s_[pos_++]);
    }
    if (pos_ >= s_.size()) return Set("unterminated string");
    ++pos_;
    return true;
  }

  bool ReadBool(bool* out) {
    if (s_.compare(pos_, 4, "True") == 0) {
      *out = true;
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      *out = false;
      pos_ += 5;
      return true;
    }
    return Set(Where("fortran_order must be True or False"));
  }

  bool ReadDim(int64_t* out) {
    if (Peek() == '-') return Set("shape has a negative dimension");
    if (Peek() < '0' || Peek() > '9') return Set(Where("expected a dimension"));
    int64_t v = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      const int digit = Peek() - '0';
      // v * 10 + digit <= kMaxDim, checked without overflowing.
      if (v > (kMaxDim - digit) / 10) return Set("shape dimension is too large");
      v = v * 10 + digit;
      ++pos_;
    }
    *out = v;
    return true;
  }

  // "()" | "(d,)" | "(d, d[, d...][,])"; a parenthesised single int without comma is not a tuple.
  bool ReadShape(Shape* out) {
    if (Peek() != '(') return Set(Where("shape must be a tuple"));
    ++pos_;
    out->clear();
    SkipSpace();
    bool trailing_comma = false;
    while (Peek() != ')') {
      int64_t d = 0;
      if (!ReadDim(&d)) return false;
      out->push_back(d);
      SkipSpace();
      trailing_comma = false;
      if (Peek() == ',') {
        ++pos_;
        trailing_comma = true;
        SkipSpace();
      } else if (Peek() != ')') {
        return Set(Where("expected ',' or ')' in shape"));
      }
    }
    ++pos_;
    if (out->size() == 1 && !trailing_comma) return Set("shape '(n)' is not a tuple; use '(n,)'");
    return true;
  }

  const std::string& s_;
  size_t pos_ = 0;
  std::string err_;
};

}  // namespace

StatusOr<NpyHeader> ParseNpyHeaderDict(const std::string& text) { return DictParser(text).Parse(); }

std::string FormatNpyHeaderDict(const std::string& descr, bool fortran_order, const Shape& shape) {
  std::string s = "{'descr': '" + descr + "', 'fortran_order': ";
  s += fortran_order ? "True" : "False";
  s += ", 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  s += "), }";
  return s;
}

}  // namespace data
}  // namespace tinyq
