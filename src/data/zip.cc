#include "src/data/zip.h"

#include <zlib.h>

#include <algorithm>

#include "src/data/byte_order.h"
#include "src/data/file_io.h"
#include "src/data/inflate.h"

namespace tinyq {
namespace data {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kEocd64LocatorSig = 0x07064b50;
constexpr uint32_t kEocd64Sig = 0x06064b50;
constexpr size_t kEocdSize = 22;
constexpr size_t kCentralSize = 46;
constexpr size_t kLocalSize = 30;
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01: reproducible output

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// True if [off, off + len) lies inside a buffer of `size` bytes (overflow-safe).
bool Fits(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

struct Eocd {
  uint64_t entries = 0;
  uint64_t cd_size = 0;
  uint64_t cd_offset = 0;
  uint64_t pos = 0;  // where the (32-bit) EOCD record starts
};

StatusOr<Eocd> FindEocd(const std::string& bytes) {
  const uint64_t size = bytes.size();
  if (size < kEocdSize) return InvalidArgument("not a zip archive (too short)");
  const uint8_t* b = U8(bytes);
  const uint64_t lowest = size > kEocdSize + 0xffff ? size - kEocdSize - 0xffff : 0;
  for (uint64_t p = size - kEocdSize + 1; p-- > lowest;) {
    if (LoadU32LE(b + p) != kEocdSig) continue;
    if (p + kEocdSize + LoadU16LE(b + p + 20) != size) continue;  // comment must reach the end
    Eocd e;
    e.pos = p;
    if (LoadU16LE(b + p + 4) != 0 || LoadU16LE(b + p + 6) != 0) {
      return InvalidArgument("multi-disk zip archives are not supported");
    }
    e.entries = LoadU16LE(b + p + 10);
    e.cd_size = LoadU32LE(b + p + 12);
    e.cd_offset = LoadU32LE(b + p + 16);
    if (p >= 20 && LoadU32LE(b + p - 20) == kEocd64LocatorSig) {
      const uint64_t off64 = LoadU64LE(b + p - 20 + 8);
      if (!Fits(off64, 56, p - 20) || LoadU32LE(b + off64) != kEocd64Sig) {
        return InvalidArgument("corrupt zip64 end of central directory");
      }
      e.entries = LoadU64LE(b + off64 + 32);
      e.cd_size = LoadU64LE(b + off64 + 40);
      e.cd_offset = LoadU64LE(b + off64 + 48);
    }
    if (!Fits(e.cd_offset, e.cd_size, size)) {
      return InvalidArgument("central directory lies outside the file");
    }
    if (e.entries > e.cd_size / kCentralSize) {
      return InvalidArgument("central directory is too small for " + std::to_string(e.entries) +
                             " entries");
    }
    return e;
  }
  return InvalidArgument("not a zip archive (no end of central directory record)");
}

// Applies a zip64 extended-information extra field (id 1) to the fields saturated at 0xffffffff.
Status ApplyZip64Extra(const uint8_t* extra, size_t len, uint32_t usize32, uint32_t csize32,
                       uint32_t offset32, ZipEntry* e) {
  size_t p = 0;
  while (p + 4 <= len) {
    const uint16_t id = LoadU16LE(extra + p), n = LoadU16LE(extra + p + 2);
    if (p + 4 + n > len) return InvalidArgument("corrupt extra field in entry '" + e->name + "'");
    if (id == 1) {
      const uint8_t* f = extra + p + 4;
      size_t q = 0;
      auto take = [&](uint64_t* dst) -> bool {
        if (q + 8 > n) return false;
        *dst = LoadU64LE(f + q);
        q += 8;
        return true;
      };
      if ((usize32 == 0xffffffff && !take(&e->uncompressed_size)) ||
          (csize32 == 0xffffffff && !take(&e->compressed_size)) ||
          (offset32 == 0xffffffff && !take(&e->local_header_offset))) {
        return InvalidArgument("zip64 extra field of entry '" + e->name + "' is too short");
      }
      return Status::Ok();
    }
    p += 4 + n;
  }
  if (usize32 == 0xffffffff || csize32 == 0xffffffff || offset32 == 0xffffffff) {
    return InvalidArgument("entry '" + e->name + "' needs a zip64 extra field but has none");
  }
  return Status::Ok();
}

}  // namespace

uint32_t Crc32(const std::string& bytes) {
  return static_cast<uint32_t>(crc32_z(0L, U8(bytes), bytes.size()));
}

StatusOr<std::vector<ZipEntry>> ListZipEntries(const std::string& bytes) {
  TQ_ASSIGN_OR_RETURN(Eocd eocd, FindEocd(bytes));
  const uint8_t* b = U8(bytes);
  std::vector<ZipEntry> entries;
  entries.reserve(static_cast<size_t>(eocd.entries));
  uint64_t p = eocd.cd_offset;
  const uint64_t end = eocd.cd_offset + eocd.cd_size;
  for (uint64_t i = 0; i < eocd.entries; ++i) {
    if (!Fits(p, kCentralSize, end) || LoadU32LE(b + p) != kCentralSig) {
      return InvalidArgument("corrupt central directory entry " + std::to_string(i));
    }
    const uint16_t nlen = LoadU16LE(b + p + 28), xlen = LoadU16LE(b + p + 30),
                   clen = LoadU16LE(b + p + 32);
    if (!Fits(p + kCentralSize, uint64_t{nlen} + xlen + clen, end)) {
      return InvalidArgument("corrupt central directory entry " + std::to_string(i));
    }
    ZipEntry e;
    e.flags = LoadU16LE(b + p + 8);
    e.method = LoadU16LE(b + p + 10);
    e.crc32 = LoadU32LE(b + p + 16);
    const uint32_t csize = LoadU32LE(b + p + 20), usize = LoadU32LE(b + p + 24),
                   offset = LoadU32LE(b + p + 42);
    e.compressed_size = csize;
    e.uncompressed_size = usize;
    e.local_header_offset = offset;
    e.name.assign(bytes, static_cast<size_t>(p + kCentralSize), nlen);
    TQ_RETURN_IF_ERROR(
        ApplyZip64Extra(b + p + kCentralSize + nlen, xlen, usize, csize, offset, &e));
    entries.push_back(std::move(e));
    p += kCentralSize + nlen + xlen + clen;
  }
  return entries;
}

StatusOr<std::string> ExtractZipEntry(const std::string& bytes, const ZipEntry& e) {
  const std::string what = "entry '" + e.name + "': ";
  const uint8_t* b = U8(bytes);
  const uint64_t size = bytes.size();
  if (e.flags & 1) return InvalidArgument(what + "encrypted entries are not supported");
  if (e.method != 0 && e.method != 8) {
    return InvalidArgument(what + "compression method " + std::to_string(e.method) +
                           " is not supported (only stored and deflate)");
  }
  if (!Fits(e.local_header_offset, kLocalSize, size) ||
      LoadU32LE(b + e.local_header_offset) != kLocalSig) {
    return InvalidArgument(what + "bad local header");
  }
  const uint64_t lh = e.local_header_offset;
  const uint64_t data_start = lh + kLocalSize + LoadU16LE(b + lh + 26) + LoadU16LE(b + lh + 28);
  if (!Fits(data_start, e.compressed_size, size)) {
    return InvalidArgument(what + "declared compressed size " + std::to_string(e.compressed_size) +
                           " goes past the end of the " + std::to_string(size) + "-byte file");
  }
  if (e.uncompressed_size > kMaxDataBytes) {
    return InvalidArgument(what + "declared size " + std::to_string(e.uncompressed_size) +
                           " exceeds the supported maximum");
  }
  const uint8_t* data = b + data_start;
  std::string out;
  if (e.method == 0) {
    if (e.uncompressed_size != e.compressed_size) {
      return InvalidArgument(what + "stored entry has different compressed and uncompressed sizes");
    }
    out.assign(reinterpret_cast<const char*>(data), static_cast<size_t>(e.compressed_size));
  } else {
    if (e.uncompressed_size > MaxInflatedSize(e.compressed_size)) {
      return InvalidArgument(what + "declared size " + std::to_string(e.uncompressed_size) +
                             " is impossible for " + std::to_string(e.compressed_size) +
                             " bytes of deflate data");
    }
    out.resize(static_cast<size_t>(e.uncompressed_size));
    Status s = InflateRaw(data, static_cast<size_t>(e.compressed_size),
                          reinterpret_cast<uint8_t*>(&out[0]), out.size());
    if (!s.ok()) return s.WithPrefix(what);
  }
  const uint32_t crc = Crc32(out);
  if (crc != e.crc32) {
    return InvalidArgument(what + "CRC-32 mismatch (stored " + std::to_string(e.crc32) +
                           ", computed " + std::to_string(crc) + ")");
  }
  return out;
}

StatusOr<std::string> BuildStoredZip(
    const std::vector<std::pair<std::string, std::string>>& files) {
  if (files.size() >= 0xffff) return InvalidArgument("too many zip entries (no zip64 writer)");
  std::string out, central;
  for (const auto& [name, contents] : files) {
    if (name.size() > 0xffff) return InvalidArgument("zip entry name too long");
    if (contents.size() >= 0xffffffffu || out.size() >= 0xffffffffu) {
      return InvalidArgument("zip entry '" + name + "' is too large (no zip64 writer)");
    }
    const uint32_t offset = static_cast<uint32_t>(out.size());
    const uint32_t crc = Crc32(contents);
    const uint32_t n = static_cast<uint32_t>(contents.size());
    AppendU32LE(&out, kLocalSig);
    AppendU16LE(&out, 20);  // version needed: 2.0
    AppendU16LE(&out, 0);   // flags
    AppendU16LE(&out, 0);   // method: stored
    AppendU16LE(&out, 0);   // time
    AppendU16LE(&out, kDosDate1980);
    AppendU32LE(&out, crc);
    AppendU32LE(&out, n);
    AppendU32LE(&out, n);
    AppendU16LE(&out, static_cast<uint16_t>(name.size()));
    AppendU16LE(&out, 0);  // extra length
    out += name;
    out += contents;

    AppendU32LE(&central, kCentralSig);
    AppendU16LE(&central, 20);  // version made by
    AppendU16LE(&central, 20);  // version needed
    AppendU16LE(&central, 0);
    AppendU16LE(&central, 0);
    AppendU16LE(&central, 0);
    AppendU16LE(&central, kDosDate1980);
    AppendU32LE(&central, crc);
    AppendU32LE(&central, n);
    AppendU32LE(&central, n);
    AppendU16LE(&central, static_cast<uint16_t>(name.size()));
    AppendU16LE(&central, 0);  // extra
    AppendU16LE(&central, 0);  // comment
    AppendU16LE(&central, 0);  // disk
    AppendU16LE(&central, 0);  // internal attributes
    AppendU32LE(&central, 0);  // external attributes
    AppendU32LE(&central, offset);
    central += name;
  }
  if (out.size() + central.size() >= 0xffffffffu) {
    return InvalidArgument("zip archive is too large (no zip64 writer)");
  }
  const uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  AppendU32LE(&out, kEocdSig);
  AppendU16LE(&out, 0);
  AppendU16LE(&out, 0);
  AppendU16LE(&out, static_cast<uint16_t>(files.size()));
  AppendU16LE(&out, static_cast<uint16_t>(files.size()));
  AppendU32LE(&out, static_cast<uint32_t>(central.size()));
  AppendU32LE(&out, cd_offset);
  AppendU16LE(&out, 0);  // comment length
  return out;
}

}  // namespace data
}  // namespace tinyq
