// HKDF with HMAC-SHA-256 (RFC 5869) over OpenSSL's EVP_KDF. Used by the hybrid KEM combiner
// and for deriving sub-keys. Thread-safety: pure functions; thread-safe.
#pragma once

#include <cstddef>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace hm::crypto {

inline constexpr size_t kHkdfSha256MaxOutput = 255 * 32;

// PRK = HMAC-SHA-256(salt, IKM). An empty salt means HashLen zero bytes (RFC 5869 §2.2).
Digest32 HkdfExtract(base::ByteSpan salt, base::ByteSpan ikm);

// OKM of `len` bytes. InvalidArgument if len > 255*32 or if prk is shorter than 32 bytes
// (RFC 5869 requires a PRK of at least HashLen). len == 0 yields an empty result.
base::Result<base::Bytes> HkdfExpand(base::ByteSpan prk, base::ByteSpan info, size_t len);

// Extract-then-expand. InvalidArgument if len > 255*32.
base::Result<base::Bytes> Hkdf(base::ByteSpan ikm, base::ByteSpan salt, base::ByteSpan info,
                               size_t len);

}  // namespace hm::crypto
