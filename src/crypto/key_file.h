// Key and certificate files on local disk. Writes are atomic and durable (temp file in the same
// directory, fsync, rename, fsync of the directory), so a crash leaves the old file or the new
// one, never a partial key. Secret reads refuse files open to group or others, as ssh does.
// Thread-safety: thread-safe; concurrent writers of one path race (last rename wins).
#pragma once

#include <cstddef>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::crypto {

inline constexpr size_t kMaxSecretFileSize = size_t{1} << 20;  // 1 MiB
inline constexpr size_t kMaxPlainFileSize = size_t{64} << 20;  // 64 MiB

// Atomically creates or replaces `path` with mode 0600. The directory must exist.
// IoError (naming the path and errno text) on any local failure.
base::Status WriteSecretFile(const std::string& path, base::ByteSpan content);

// Same with mode 0644, for certificates and public keys.
base::Status WritePublicFile(const std::string& path, base::ByteSpan content);

// Reads a secret file. NotFound if missing; PermissionDenied (naming the path and its mode)
// if group or others have any access bits; FailedPrecondition if not a regular file;
// ResourceExhausted above kMaxSecretFileSize; IoError otherwise.
base::Result<base::Bytes> ReadSecretFile(const std::string& path);

// Reads any regular file up to `max_size` bytes, with the same errors but no mode check.
base::Result<base::Bytes> ReadFile(const std::string& path, size_t max_size = kMaxPlainFileSize);

}  // namespace hm::crypto
