// Cryptographic randomness from OpenSSL's CSPRNG (RAND_bytes), behind base::Random so code
// can take a Random& and tests can pass a SeededRandom. RNG failure is a HM_CHECK: there is
// no safe way to continue without randomness. Thread-safety: thread-safe (OpenSSL's DRBGs
// are per thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/random.h"

namespace hm::crypto {

class SecureRandom final : public base::Random {
 public:
  void Fill(std::span<uint8_t> out) override;
};

// `n` fresh random bytes.
base::Bytes RandomBytes(size_t n);

}  // namespace hm::crypto
