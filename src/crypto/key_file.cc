#include "crypto/key_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "crypto/secure_random.h"

namespace hm::crypto {
namespace {

// std::strerror may share a static buffer between threads; the category message does not.
std::string ErrnoText(int err) { return std::generic_category().message(err); }

base::Status IoErr(std::string_view op, const std::string& path, int err) {
  return base::IoError(fmt::format("{} {}: {}", op, path, ErrnoText(err)));
}

// Closes on scope exit unless released.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

base::Status WriteAll(int fd, base::ByteSpan data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoErr("write", path, errno);
    }
    off += static_cast<size_t>(n);
  }
  return base::Status::Ok();
}

base::Status FsyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return IoErr("open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return IoErr("fsync directory", dir, errno);
  return base::Status::Ok();
}

// Writes `content` into the already created temp file and renames it over `path`.
base::Status FillAndRename(Fd& fd, const std::string& tmp, const std::string& path,
                           base::ByteSpan content, mode_t mode) {
  // Set the exact mode: the umask may have cleared bits of `mode` at creation.
  if (::fchmod(fd.get(), mode) != 0) return IoErr("chmod", tmp, errno);
  HM_TRY(WriteAll(fd.get(), content, tmp));
  if (::fsync(fd.get()) != 0) return IoErr("fsync", tmp, errno);
  if (::close(fd.Release()) != 0) return IoErr("close", tmp, errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return IoErr("rename into", path, errno);
  return base::Status::Ok();
}

base::Status WriteAtomic(const std::string& path, base::ByteSpan content, mode_t mode) {
  const std::filesystem::path target(path);
  if (!target.has_filename()) return base::InvalidArgument("not a file path: " + path);
  std::string dir = target.parent_path().string();
  if (dir.empty()) dir = ".";
  // Hidden, randomly named sibling; O_EXCL refuses to reuse (or follow) an existing name.
  const std::string tmp = (target.parent_path() / ("." + target.filename().string() + ".tmp-" +
                                                   base::HexEncode(RandomBytes(8))))
                              .string();
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (fd.get() < 0) return IoErr("create", tmp, errno).WithContext("writing " + path);
  base::Status st = FillAndRename(fd, tmp, path, content, mode);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st.WithContext("writing " + path);
  }
  return FsyncDir(dir).WithContext("writing " + path);
}

base::Result<base::Bytes> ReadChecked(const std::string& path, size_t max_size, bool secret) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    if (errno == ENOENT) return base::NotFound("no such file: " + path);
    return IoErr("open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return IoErr("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return base::FailedPrecondition("not a regular file: " + path);
  const unsigned perms = st.st_mode & 07777;
  if (secret && (perms & 077) != 0) {
    return base::PermissionDenied(
        fmt::format("secret file {} has mode {:04o}; it must not be accessible by group or others "
                    "(chmod 600 {})",
                    path, perms, path));
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    return base::ResourceExhausted(
        fmt::format("file {} is {} bytes, limit {}", path, st.st_size, max_size));
  }
  // One spare byte detects a file that grew since fstat.
  base::Bytes out(static_cast<size_t>(st.st_size) + 1);
  size_t off = 0;
  for (;;) {
    if (off == out.size()) {
      if (off > max_size) {
        return base::ResourceExhausted(fmt::format("file {} exceeds limit {}", path, max_size));
      }
      out.resize(out.size() + 4096);
    }
    const ssize_t n = ::read(fd.get(), out.data() + off, out.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoErr("read", path, errno);
    }
    if (n == 0) break;
    off += static_cast<size_t>(n);
  }
  if (off > max_size) {
    return base::ResourceExhausted(fmt::format("file {} exceeds limit {}", path, max_size));
  }
  out.resize(off);
  return out;
}

}  // namespace

base::Status WriteSecretFile(const std::string& path, base::ByteSpan content) {
  return WriteAtomic(path, content, 0600);
}

base::Status WritePublicFile(const std::string& path, base::ByteSpan content) {
  return WriteAtomic(path, content, 0644);
}

base::Result<base::Bytes> ReadSecretFile(const std::string& path) {
  return ReadChecked(path, kMaxSecretFileSize, true);
}

base::Result<base::Bytes> ReadFile(const std::string& path, size_t max_size) {
  return ReadChecked(path, max_size, false);
}

}  // namespace hm::crypto
