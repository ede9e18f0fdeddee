// Hash functions over OpenSSL 3: SHA-256 (one-shot and incremental), SHA-512, SHA3-256/512 and
// one-shot SHAKE128/256. Infallible for every input; an OpenSSL internal failure is a HM_CHECK.
// Thread-safety: free functions are thread-safe; a Sha256Hasher is owned by one thread at a time.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/bytes.h"

namespace hm::crypto {

using Digest32 = std::array<uint8_t, 32>;
using Digest64 = std::array<uint8_t, 64>;

Digest32 Sha256(base::ByteSpan data);
Digest64 Sha512(base::ByteSpan data);
Digest32 Sha3_256(base::ByteSpan data);
Digest64 Sha3_512(base::ByteSpan data);

// One-shot XOFs returning `out_len` bytes. Named *Bytes so they do not collide with the
// incremental sponge classes Shake128/Shake256 in crypto/keccak/keccak.h (same namespace).
base::Bytes Shake128Bytes(base::ByteSpan in, size_t out_len);
base::Bytes Shake256Bytes(base::ByteSpan in, size_t out_len);

// Incremental SHA-256. Finish() returns the digest and resets the hasher for reuse.
class Sha256Hasher {
 public:
  Sha256Hasher();

  void Update(base::ByteSpan data);
  // The length of `data` as 8 bytes big-endian, then `data`: a sequence of such fields hashes
  // unambiguously (the in-memory cache keys of verified certificate chains use it).
  void UpdateField(base::ByteSpan data);
  Digest32 Finish();

 private:
  struct CtxFree {
    void operator()(EVP_MD_CTX* ctx) const;
  };
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
};

}  // namespace hm::crypto
