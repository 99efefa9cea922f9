#include "src/data/inflate.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace tinyq {
namespace data {
namespace {

// zlib counts in uInt; feed large buffers in 1 GiB slices.
constexpr size_t kSlice = size_t{1} << 30;

class PlainSource : public ByteSource {
 public:
  PlainSource(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  Status Read(uint8_t* dst, size_t n) override {
    if (n > n_ - pos_) return InvalidArgument("truncated: data ends early");
    std::memcpy(dst, p_ + pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  Status ExpectEnd() override {
    if (pos_ != n_) {
      return InvalidArgument(std::to_string(n_ - pos_) + " unexpected trailing bytes");
    }
    return Status::Ok();
  }
  uint64_t MaxRemaining() const override { return n_ - pos_; }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
};

class GzipSource : public ByteSource {
 public:
  GzipSource(const uint8_t* p, size_t n) : p_(p), n_(n) {
    std::memset(&zs_, 0, sizeof(zs_));
    ok_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK;  // 16+: gzip wrapper only
  }
  ~GzipSource() override {
    if (ok_) inflateEnd(&zs_);
  }

  Status Read(uint8_t* dst, size_t n) override {
    if (!ok_) return Internal("zlib inflateInit2 failed");
    size_t done = 0;
    while (done < n) {
      if (member_ended_) {
        if (in_pos_ == n_) return InvalidArgument("truncated: gzip data ends early");
        inflateReset(&zs_);  // another gzip member follows (concatenated .gz)
        member_ended_ = false;
      }
      Feed();
      const size_t want = std::min(n - done, kSlice);
      zs_.next_out = dst + done;
      zs_.avail_out = static_cast<uInt>(want);
      const uInt in_before = zs_.avail_in;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      in_pos_ += in_before - zs_.avail_in;
      done += want - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
      } else if (rc == Z_BUF_ERROR && in_pos_ == n_ && zs_.avail_in == 0) {
        return InvalidArgument("truncated: gzip stream ends early");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return InvalidArgument(std::string("corrupt gzip data: ") +
                               (zs_.msg ? zs_.msg : "inflate failed"));
      }
    }
    return Status::Ok();
  }

  Status ExpectEnd() override {
    // The last member must be complete and nothing may follow it (checked by inflating one more
    // byte, which must be impossible).
    uint8_t extra;
    while (!member_ended_) {
      Feed();
      zs_.next_out = &extra;
      zs_.avail_out = 1;
      const uInt in_before = zs_.avail_in;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      in_pos_ += in_before - zs_.avail_in;
      if (zs_.avail_out == 0) return InvalidArgument("gzip data is longer than the header says");
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
      } else if (rc != Z_OK) {
        return InvalidArgument("truncated or corrupt gzip data at its end");
      }
    }
    if (in_pos_ != n_) {
      // numpy/gzip never write this; a second member here would be data the header did not count.
      return InvalidArgument(std::to_string(n_ - in_pos_) + " unexpected bytes after gzip data");
    }
    return Status::Ok();
  }

  uint64_t MaxRemaining() const override { return MaxInflatedSize(n_ - in_pos_); }

 private:
  void Feed() {
    if (zs_.avail_in == 0 && in_pos_ < n_) {
      zs_.next_in = const_cast<Bytef*>(p_ + in_pos_);
      zs_.avail_in = static_cast<uInt>(std::min(n_ - in_pos_, kSlice));
    }
  }

  const uint8_t* p_;
  size_t n_;
  size_t in_pos_ = 0;  // input bytes consumed by zlib
  z_stream zs_;
  bool ok_ = false;
  bool member_ended_ = false;
};

}  // namespace

Status InflateRaw(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return Internal("zlib inflateInit2 failed");
  size_t in_pos = 0, out_pos = 0;
  int rc = Z_OK;
  while (true) {
    if (zs.avail_in == 0 && in_pos < in_len) {
      zs.next_in = const_cast<Bytef*>(in + in_pos);
      zs.avail_in = static_cast<uInt>(std::min(in_len - in_pos, kSlice));
      in_pos += zs.avail_in;
    }
    // One spare byte beyond out_len lets us notice a stream that is longer than declared.
    uint8_t spare;
    if (out_pos < out_len) {
      zs.next_out = out + out_pos;
      zs.avail_out = static_cast<uInt>(std::min(out_len - out_pos, kSlice));
    } else {
      zs.next_out = &spare;
      zs.avail_out = 1;
    }
    const uInt out_before = zs.avail_out;
    rc = inflate(&zs, Z_NO_FLUSH);
    const size_t produced = out_before - zs.avail_out;
    if (out_pos >= out_len && produced > 0) {
      inflateEnd(&zs);
      return InvalidArgument("deflate data is longer than the declared size " +
                             std::to_string(out_len));
    }
    out_pos += produced;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_pos == in_len) {
      inflateEnd(&zs);
      return InvalidArgument("deflate data is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      std::string msg = zs.msg ? zs.msg : "inflate failed";
      inflateEnd(&zs);
      return InvalidArgument("corrupt deflate data: " + msg);
    }
  }
  inflateEnd(&zs);
  if (out_pos != out_len) {
    return InvalidArgument("deflate data is " + std::to_string(out_pos) +
                           " bytes, declared size is " + std::to_string(out_len));
  }
  return Status::Ok();
}

std::unique_ptr<ByteSource> MakeByteSource(const uint8_t* bytes, size_t len) {
  if (IsGzip(bytes, len)) return std::make_unique<GzipSource>(bytes, len);
  return std::make_unique<PlainSource>(bytes, len);
}

}  // namespace data
}  // namespace tinyq
