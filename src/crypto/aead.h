// AES-256-GCM authenticated encryption (NIST SP 800-38D) over OpenSSL 3, with 96-bit nonces
// and 128-bit tags. Callers own nonce uniqueness per key. Thread-safety: pure functions.
#pragma once

#include <cstddef>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::crypto {

inline constexpr size_t kAes256GcmKeySize = 32;
inline constexpr size_t kAes256GcmNonceSize = 12;
inline constexpr size_t kAes256GcmTagSize = 16;

// Returns ciphertext || tag (plaintext.size() + 16 bytes).
// InvalidArgument if key is not 32 bytes or nonce is not 12 bytes.
base::Result<base::Bytes> Aes256GcmSeal(base::ByteSpan key, base::ByteSpan nonce,
                                        base::ByteSpan aad, base::ByteSpan plaintext);

// Opens ciphertext || tag. InvalidArgument on wrong key/nonce sizes or input shorter than the
// tag; Unauthenticated if the tag does not match (no plaintext is released).
base::Result<base::Bytes> Aes256GcmOpen(base::ByteSpan key, base::ByteSpan nonce,
                                        base::ByteSpan aad, base::ByteSpan sealed);

}  // namespace hm::crypto
