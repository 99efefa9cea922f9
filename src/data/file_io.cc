#include "src/data/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "tinyq/interrupt.h"

namespace tinyq {
namespace data {
namespace {

std::string Errno() { return std::strerror(errno); }

// Opens `path` for reading with the NotFound/IoError mapping described in the header.
StatusOr<int> OpenForRead(const std::string& path, uint64_t* size) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NotFound(path + ": no such file");
    return IoError(path + ": cannot stat: " + Errno());
  }
  if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory, not a file");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path + ": cannot open for reading: " + Errno());
  *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

// Reads up to `n` bytes from `fd` into `out` (resized to the count actually read).
Status ReadUpTo(int fd, const std::string& path, size_t n, std::string* out) {
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, &(*out)[got], n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError(path + ": read failed: " + Errno());
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out->resize(got);
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  uint64_t size = 0;
  TQ_ASSIGN_OR_RETURN(int fd, OpenForRead(path, &size));
  if (size > kMaxDataBytes) {
    ::close(fd);
    return InvalidArgument(path + ": file is " + std::to_string(size) +
                           " bytes, more than the supported maximum of " +
                           std::to_string(kMaxDataBytes));
  }
  std::string out;
  Status s = ReadUpTo(fd, path, static_cast<size_t>(size), &out);
  ::close(fd);
  TQ_RETURN_IF_ERROR(s);
  if (out.size() != size) return IoError(path + ": file changed size while being read");
  return out;
}

StatusOr<std::string> ReadFilePrefix(const std::string& path, size_t n) {
  uint64_t size = 0;
  TQ_ASSIGN_OR_RETURN(int fd, OpenForRead(path, &size));
  std::string out;
  Status s = ReadUpTo(fd, path, n, &out);
  ::close(fd);
  TQ_RETURN_IF_ERROR(s);
  return out;
}

namespace {

// Writes `bytes` to a new temporary file next to `path` (registered for removal on interrupt by
// `guards`); on failure removes it and returns IoError naming `path`.
StatusOr<std::string> WriteTemp(const std::string& path, const std::string& bytes,
                                std::vector<std::unique_ptr<TempPathGuard>>* guards) {
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) return IoError(path + ": cannot create a temporary file next to it: " + Errno());
  const std::string tmp(name.data());
  guards->push_back(std::make_unique<TempPathGuard>(tmp));  // removed if interrupted meanwhile
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      std::string err = Errno();
      ::close(fd);
      ::unlink(tmp.c_str());
      return IoError(path + ": write failed: " + err);
    }
    done += static_cast<size_t>(w);
  }
  // mkstemp creates the file 0600; data files are ordinary user files (0644 minus umask).
  mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0 || ::close(fd) != 0) {
    std::string err = Errno();
    ::unlink(tmp.c_str());
    return IoError(path + ": close failed: " + err);
  }
  return tmp;
}

}  // namespace

Status WriteFilesAtomic(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::unique_ptr<TempPathGuard>> guards;
  std::vector<std::string> temps;
  for (const auto& [path, bytes] : files) {
    StatusOr<std::string> tmp = WriteTemp(path, bytes, &guards);
    if (!tmp.ok()) {
      for (const std::string& t : temps) ::unlink(t.c_str());
      return tmp.status();
    }
    temps.push_back(*tmp);
  }
  for (size_t i = 0; i < files.size(); ++i) {
    if (std::rename(temps[i].c_str(), files[i].first.c_str()) != 0) {
      std::string err = Errno();
      for (size_t j = i; j < temps.size(); ++j) ::unlink(temps[j].c_str());
      return IoError(files[i].first + ": cannot rename the temporary file into place: " + err);
    }
  }
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, const std::string& bytes) {
  return WriteFilesAtomic({{path, bytes}});
}

}  // namespace data
}  // namespace tinyq
