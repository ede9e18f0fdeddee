// NIST's AES-256 CTR_DRBG as used by PQCgenKAT (rng.c: randombytes_init / randombytes),
// to reproduce the post-quantum KAT files. Test support only: not a production RNG.
// Thread-safety: not thread-safe; one instance per test.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/random.h"

namespace hm::crypto::falcon::testing {

class NistDrbg final : public base::Random {
 public:
  // randombytes_init(seed, NULL, 256).
  explicit NistDrbg(std::span<const uint8_t, 48> seed);

  // randombytes(out, out.size()).
  void Fill(std::span<uint8_t> out) override;

 private:
  void Update(const uint8_t* provided);  // CTR_DRBG_Update; provided may be null
  void Encrypt(const uint8_t in[16], uint8_t out[16]) const;
  void IncrementV();

  std::array<uint8_t, 32> key_{};
  std::array<uint8_t, 16> v_{};
};

}  // namespace hm::crypto::falcon::testing
